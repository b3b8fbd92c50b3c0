namespace MediaForge.Credits.AspNetCore;

/// <summary>Clerk settings (configuration section <c>MediaForge:Credits:Clerk</c>; the seed's variable works too).</summary>
public sealed class CreditsClerkOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "MediaForge:Credits:Clerk";

    /// <summary>The Svix signing secret of the Clerk webhook endpoint (<c>whsec_...</c>; variable <c>CLERK_WEBHOOK_SECRET</c>).</summary>
    public string? WebhookSecret { get; set; }

    /// <summary>
    /// The free package granted on <c>user.created</c>, once per user and, unless
    /// <see cref="CreditsOptions.OneFreePackagePerEmail"/> is off, once per normalized primary e-mail (an account deleted
    /// and signed up again with the same address gets nothing more). Default <c>starter</c>; empty grants nothing.
    /// </summary>
    public string? SignUpPackageId { get; set; } = CreditsDefaults.StarterPackageId;

    /// <summary>The <c>public_metadata.role</c> value that makes a user an admin (unlimited). Default <c>admin</c>.</summary>
    public string AdminRole { get; set; } = "admin";

    /// <summary>How far a Svix timestamp may be from now (Svix: 5 minutes).</summary>
    public TimeSpan WebhookTolerance { get; set; } = TimeSpan.FromMinutes(5);
}
