namespace MediaForge.Credits.Storage;

/// <summary>How the credit tables are named in the database.</summary>
public sealed class CreditsModelOptions
{
    /// <summary>
    /// A prefix for every credit table (for example <c>credits_</c> gives <c>credits_users</c>), to avoid clashes with
    /// a host's own tables. Default: none.
    /// </summary>
    public string? TablePrefix { get; set; }

    /// <summary>The database schema of the credit tables; default: the provider's default schema.</summary>
    public string? Schema { get; set; }
}
