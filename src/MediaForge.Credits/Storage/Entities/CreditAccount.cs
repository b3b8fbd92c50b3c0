namespace MediaForge.Credits.Entities;

/// <summary>
/// The balance of one user (table <c>credits</c>): a projection of the ledger, kept in the same database
/// transaction as every ledger row. <c>Balance == SUM(credit_transactions.amount)</c> for the user.
/// </summary>
public sealed class CreditAccount
{
    /// <summary>The user id.</summary>
    public string UserId { get; set; } = "";

    /// <summary>Credits owned now.</summary>
    public long Balance { get; set; }

    /// <summary>Credits held by active reservations; spendable credits are <c>Balance - Reserved</c>.</summary>
    public long Reserved { get; set; }

    /// <summary>Total credits ever granted (purchases, bonuses, refunds, positive adjustments).</summary>
    public long TotalGranted { get; set; }

    /// <summary>Total credits ever consumed or removed.</summary>
    public long TotalConsumed { get; set; }

    /// <summary>Charged (not unlimited) uses ever logged for the user (usage logs, reservation captures included).</summary>
    public long UsageCount { get; set; }

    /// <summary>Credits ever charged by those uses (the usage part of <see cref="TotalConsumed"/>).</summary>
    public long UsageCredits { get; set; }

    /// <summary>The time (UTC) of the user's latest charged use; <see langword="null"/> before the first.</summary>
    public DateTime? LastUsageAt { get; set; }

    /// <summary>
    /// The time (UTC) of the user's earliest charged use; <see langword="null"/> before the first. Reports skip the
    /// running-total lookup at a range start before it (the user had no use then).
    /// </summary>
    public DateTime? FirstUsageAt { get; set; }

    /// <summary>
    /// The soonest expiry of the user's lots with credits left (<see langword="null"/>: none expire). Deductions check it
    /// on this one row, so credits past their expiry are never spent, even before the expiry is written.
    /// </summary>
    public DateTime? NextExpiryAt { get; set; }

    /// <summary>When the row was created (UTC).</summary>
    public DateTime CreatedAt { get; set; }

    /// <summary>When the balance last changed (UTC).</summary>
    public DateTime UpdatedAt { get; set; }
}
