namespace MediaForge.Credits.TopUps;

/// <summary>
/// One top-up (table <c>credit_top_ups</c>): written in the transaction of the debit that crossed the threshold,
/// charged by the worker under a lease, granted when its payment intent succeeds. Attempt <c>n</c> of top-up <c>id</c>
/// is charged with the idempotency key <c>mf-top-up-{id}-{n}</c>, and counted as failed at most once.
/// </summary>
internal sealed class CreditTopUpRow
{
    /// <summary>The top-up's id (version 7).</summary>
    public Guid Id { get; set; }

    /// <summary>The wallet topped up.</summary>
    // Stryker disable once String : equivalent: the only writer (CreditTopUpTriggers.AfterDebitAsync) sets it; a read fills it from its non-null column
    public string WalletId { get; set; } = "";

    /// <summary>The package bought.</summary>
    // Stryker disable once String : equivalent: the only writer (CreditTopUpTriggers.AfterDebitAsync) sets it; a read fills it from its non-null column
    public string PackageId { get; set; } = "";

    /// <summary>The credits granted when paid.</summary>
    public long Credits { get; set; }

    /// <summary>The price charged, in minor units of <see cref="Currency"/>.</summary>
    public long AmountCents { get; set; }

    /// <summary>The currency, lower case.</summary>
    // Stryker disable once String : equivalent: the only writer (CreditTopUpTriggers.AfterDebitAsync) sets it; a read fills it from its non-null column
    public string Currency { get; set; } = "usd";

    /// <summary>The customer charged.</summary>
    // Stryker disable once String : equivalent: the only writer (CreditTopUpTriggers.AfterDebitAsync) sets it; a read fills it from its non-null column
    public string CustomerId { get; set; } = "";

    /// <summary>The payment method charged.</summary>
    // Stryker disable once String : equivalent: the only writer (CreditTopUpTriggers.AfterDebitAsync) sets it; a read fills it from its non-null column
    public string PaymentMethodId { get; set; } = "";

    /// <summary>Where it stands.</summary>
    public CreditTopUpStatus Status { get; set; }

    /// <summary>Attempts counted as failed; the attempt being charged is this plus one.</summary>
    public int FailedAttempts { get; set; }

    /// <summary>When its attempt is due (UTC).</summary>
    public DateTime NextAttemptAt { get; set; }

    /// <summary>The worker that holds it.</summary>
    public Guid? LeaseOwner { get; set; }

    /// <summary>Until when that worker holds it (UTC).</summary>
    public DateTime? LeasedUntil { get; set; }

    /// <summary>The payment intent of the latest attempt.</summary>
    public string? PaymentIntentId { get; set; }

    /// <summary>Why the latest attempt failed.</summary>
    public string? LastError { get; set; }

    /// <summary>The month (first day, UTC) whose cap it counts in.</summary>
    public DateTime MonthStart { get; set; }

    /// <summary>When the threshold was crossed (UTC).</summary>
    public DateTime CreatedAt { get; set; }

    /// <summary>When the row last changed (UTC).</summary>
    public DateTime UpdatedAt { get; set; }
}
