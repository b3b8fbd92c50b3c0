namespace MediaForge.Credits;

/// <summary>The outcome of <see cref="ICreditService.AdjustCreditsAsync"/>.</summary>
public sealed record CreditAdjustmentResult
{
    /// <summary>Whether the correction was written (a removal larger than the spendable credits is not).</summary>
    public required bool Success { get; init; }

    /// <summary>The ledger row, when written.</summary>
    public Guid? TransactionId { get; init; }

    /// <summary>The balance after the correction (on failure: the balance as it is).</summary>
    public required long Balance { get; init; }

    /// <summary>Why it failed, or <see cref="CreditDeductionError.None"/>.</summary>
    public required CreditDeductionError Error { get; init; }

    /// <summary>Whether this is the stored outcome of an earlier call with the same idempotency key.</summary>
    public bool IsReplay { get; init; }
}
