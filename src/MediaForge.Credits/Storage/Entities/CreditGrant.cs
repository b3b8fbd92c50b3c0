namespace MediaForge.Credits.Entities;

/// <summary>
/// A lot of credits that expire (table <c>credit_grants</c>): written for every grant with an expiry. Deductions
/// consume the soonest-expiring lots first; at expiry the unconsumed remainder is removed once, by an
/// <see cref="CreditTransactionType.Expiration"/> ledger row. Credits that never expire need no lot.
/// </summary>
public sealed class CreditGrant
{
    /// <summary>The lot id.</summary>
    public Guid Id { get; set; }

    /// <summary>The owner.</summary>
    public string UserId { get; set; } = "";

    /// <summary>The ledger row that granted the credits.</summary>
    public Guid TransactionId { get; set; }

    /// <summary>Credits granted.</summary>
    public long Amount { get; set; }

    /// <summary>Credits not consumed or expired yet.</summary>
    public long Remaining { get; set; }

    /// <summary>When the remainder expires (UTC).</summary>
    public DateTime ExpiresAt { get; set; }

    /// <summary>When the lot was granted (UTC).</summary>
    public DateTime CreatedAt { get; set; }
}
