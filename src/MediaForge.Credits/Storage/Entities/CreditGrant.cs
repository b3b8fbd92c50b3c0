namespace MediaForge.Credits.Entities;

/// <summary>
/// A lot of granted credits (table <c>credit_grants</c>): written for every grant with an expiry or of a category other
/// than <see cref="CreditCategory.Paid"/>. Debits take credits by <see cref="Priority"/>, then soonest expiry, then
/// oldest; at expiry the unconsumed remainder is removed once, by an <see cref="CreditTransactionType.Expiration"/>
/// ledger row. Paid credits that never expire need no lot: they are the balance minus the lots' remainders.
/// </summary>
public sealed class CreditGrant
{
    /// <summary>The <see cref="ExpiresAt"/> of a lot that never expires (9999-12-31, UTC): sorts after every real expiry.</summary>
    public static readonly DateTime NoExpiry = new(9999, 12, 31, 0, 0, 0, DateTimeKind.Utc);

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

    /// <summary>When the remainder expires (UTC); <see cref="NoExpiry"/> when it never does.</summary>
    public DateTime ExpiresAt { get; set; }

    /// <summary>The category's name (<see cref="CreditCategory.Name"/>).</summary>
    public string Category { get; set; } = CreditCategory.Paid.Name;

    /// <summary>The category's priority when granted (<see cref="CreditsOptions.CategoryPriorities"/>): lowest spent first.</summary>
    public int Priority { get; set; }

    /// <summary>When the lot was granted (UTC).</summary>
    public DateTime CreatedAt { get; set; }
}
