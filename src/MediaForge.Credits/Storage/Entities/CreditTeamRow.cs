namespace MediaForge.Credits.Entities;

/// <summary>
/// One team (table <c>credit_teams</c>). Its wallet is the account <c>mf:team:{id}</c> (<c>Teams/CreditWalletAccounts</c>).
/// Internal: hosts read teams through <see cref="ICreditTeamService"/>.
/// </summary>
internal sealed class CreditTeamRow
{
    /// <summary>The team id (the host's, or the Clerk organization id).</summary>
    public string Id { get; set; } = "";

    /// <summary>The team's name.</summary>
    public string Name { get; set; } = "";

    /// <summary>Whether the wallet can be used; <see cref="CreditTeamStatus.Frozen"/> is final.</summary>
    public CreditTeamStatus Status { get; set; }

    /// <summary>The limit per period of members without their own; <see langword="null"/>: none.</summary>
    public long? DefaultMemberLimit { get; set; }

    /// <summary>
    /// Clerk's <c>updated_at</c> (ms) of the organization data last applied, or <see langword="null"/> for a team the
    /// host made: an older organization event does not change the name.
    /// </summary>
    public long? SourceVersion { get; set; }

    /// <summary>When the row was created (UTC).</summary>
    public DateTime CreatedAt { get; set; }

    /// <summary>When the row last changed (UTC).</summary>
    public DateTime UpdatedAt { get; set; }

    /// <summary>When the team was frozen (UTC).</summary>
    public DateTime? FrozenAt { get; set; }
}
