namespace MediaForge.Credits.Entities;

/// <summary>A user known to the credit system (table <c>users</c>). The id is the identity provider's user id.</summary>
public sealed class CreditUser
{
    /// <summary>The identity provider's user id (for Clerk: <c>user_...</c>).</summary>
    public string Id { get; set; } = "";

    /// <summary>Primary e-mail address, when known.</summary>
    public string? Email { get; set; }

    /// <summary>Display name, when known.</summary>
    public string? DisplayName { get; set; }

    /// <summary>Whether the user is an admin: admins have unlimited credits (nothing is deducted, usage is still logged).</summary>
    public bool IsAdmin { get; set; }

    /// <summary>When the row was created (UTC).</summary>
    public DateTime CreatedAt { get; set; }

    /// <summary>When the row was last changed (UTC).</summary>
    public DateTime UpdatedAt { get; set; }

    /// <summary>When the user was deleted at the identity provider (UTC); the ledger is kept.</summary>
    public DateTime? DeletedAt { get; set; }

    /// <summary>
    /// The identity provider's version of the profile last applied to the row (for Clerk: the user's <c>updated_at</c>,
    /// milliseconds since the Unix epoch), or <see langword="null"/> before any. An event carrying an older version is
    /// ignored, so a late or retried delivery never undoes a newer change.
    /// </summary>
    public long? ProfileVersion { get; set; }
}
