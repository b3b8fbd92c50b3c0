using System.Security.Claims;

namespace MediaForge.Credits.AspNetCore.Endpoints;

/// <summary>The endpoints' user id: <see cref="CreditsUserIdExtensions.GetCreditsUserId(ClaimsPrincipal, CreditsHttpOptions?)"/> with the configured options.</summary>
internal sealed class CreditUserAccessor(IOptions<CreditsHttpOptions> options)
{
    public string? GetUserId(ClaimsPrincipal principal) => principal.GetCreditsUserId(options.Value);
}
