using System.Security.Claims;

namespace MediaForge.Credits.AspNetCore;

/// <summary>How the endpoints identify users (configuration section <c>MediaForge:Credits:Http</c>).</summary>
public sealed class CreditsHttpOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "MediaForge:Credits:Http";

    /// <summary>The name of the authorization policy that admin endpoints require.</summary>
    public const string AdminPolicy = "MediaForgeCreditsAdmin";

    /// <summary>Claim types tried in order for the user id. Default: <c>sub</c>, then <see cref="ClaimTypes.NameIdentifier"/>.</summary>
    public IList<string> UserIdClaimTypes { get; } = ["sub", ClaimTypes.NameIdentifier];

    /// <summary>The claim that marks admins (for the admin policy). Default <see cref="ClaimTypes.Role"/>.</summary>
    public string AdminClaimType { get; set; } = ClaimTypes.Role;

    /// <summary>The value of <see cref="AdminClaimType"/> that marks admins. Default <c>admin</c>.</summary>
    public string AdminClaimValue { get; set; } = "admin";

    /// <summary>
    /// The app's public address, for example <c>https://app.example.com</c> (with its path base, if any): the absolute
    /// URLs the add-on makes (the Stripe success and cancel URLs when they are configured as paths, the development
    /// gateway's pages) start with it, never with the request's <c>Host</c> header. Must be an absolute http(s) URL
    /// without query or fragment (checked at start-up). When it is not set, the server's own listening address is used
    /// (for example <c>http://localhost:5000</c>), which suits local development only: set it in production, and set
    /// <c>AllowedHosts</c> to the same host name.
    /// </summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>The largest webhook body accepted; larger deliveries get 413. Default 256 KiB.</summary>
    public int MaxWebhookBodyBytes { get; set; } = 256 * 1024;
}
