namespace MediaForge.Credits.Entities;

/// <summary>One immutable credit movement (table <c>credit_transactions</c>). Rows are only ever inserted.</summary>
public sealed class CreditTransaction
{
    /// <summary>The transaction id (a time-ordered GUID).</summary>
    public Guid Id { get; set; }

    /// <summary>The user whose balance moved.</summary>
    public string UserId { get; set; } = "";

    /// <summary>Signed amount: positive for grants, negative for usage and removals.</summary>
    public long Amount { get; set; }

    /// <summary>The user's balance right after this movement.</summary>
    public long BalanceAfter { get; set; }

    /// <summary>What kind of movement this is.</summary>
    public CreditTransactionType Type { get; set; }

    /// <summary>Human-readable description.</summary>
    public string Description { get; set; } = "";

    /// <summary>Caller metadata as JSON, if any.</summary>
    public string? Metadata { get; set; }

    /// <summary>The caller's idempotency key; unique per user.</summary>
    public string? IdempotencyKey { get; set; }

    /// <summary>An external reference, such as a Stripe checkout session id or a Svix message id.</summary>
    public string? Reference { get; set; }

    /// <summary>When the movement happened (UTC).</summary>
    public DateTime CreatedAt { get; set; }
}
