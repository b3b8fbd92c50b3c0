namespace MediaForge.Credits.Entities;

/// <summary>
/// One user's membership of one team (table <c>credit_team_members</c>, key team and user). A removed member keeps the
/// row with <see cref="RemovedAt"/> set (a tombstone: their spending stays attributed, and a late Clerk event older than
/// the removal does not bring them back).
/// </summary>
internal sealed class CreditTeamMemberRow
{
    /// <summary>The team.</summary>
    public string TeamId { get; set; } = "";

    /// <summary>The member.</summary>
    public string UserId { get; set; } = "";

    /// <summary>The member's role.</summary>
    public CreditTeamRole Role { get; set; }

    /// <summary>The member's own limit per period; <see langword="null"/>: the team's default.</summary>
    public long? SpendLimit { get; set; }

    /// <summary>
    /// Credits of the team's wallet the member spent in the period that starts at <see cref="PeriodStart"/>. Phase 2's
    /// debit adds to it in the debit's own statement or transaction (restarting it when the period changed).
    /// </summary>
    public long PeriodSpent { get; set; }

    /// <summary>The start (UTC) of the period <see cref="PeriodSpent"/> counts; <see langword="null"/> before any spending.</summary>
    public DateTime? PeriodStart { get; set; }

    /// <summary>When the member was removed (UTC); <see langword="null"/> while a member.</summary>
    public DateTime? RemovedAt { get; set; }

    /// <summary>Clerk's version (ms) of the membership state last applied, or <see langword="null"/> for a change made through the service.</summary>
    public long? SourceVersion { get; set; }

    /// <summary>When the user (last) joined (UTC).</summary>
    public DateTime CreatedAt { get; set; }

    /// <summary>When the row last changed (UTC).</summary>
    public DateTime UpdatedAt { get; set; }
}
