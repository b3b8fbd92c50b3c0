namespace MediaForge.Credits;

/// <summary>The outcome of a grant or other credit movement.</summary>
public sealed record CreditTransactionResult
{
    /// <summary>The ledger row.</summary>
    public required Guid TransactionId { get; init; }

    /// <summary>The user's balance right after the movement.</summary>
    public required long Balance { get; init; }

    /// <summary>Whether this is the stored outcome of an earlier call with the same idempotency key (nothing moved now).</summary>
    public bool IsReplay { get; init; }
}
