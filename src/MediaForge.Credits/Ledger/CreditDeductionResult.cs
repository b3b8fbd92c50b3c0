namespace MediaForge.Credits;

/// <summary>The outcome of <see cref="ICreditService.DeductCreditsAsync"/>.</summary>
public sealed record CreditDeductionResult
{
    /// <summary>Whether the use was paid for (always true for unlimited users).</summary>
    public required bool Success { get; init; }

    /// <summary>Credits taken from the balance: the price, or 0 for unlimited users and failures.</summary>
    public required long CreditsDeducted { get; init; }

    /// <summary>The balance after the deduction (on failure: the balance that was too low).</summary>
    public required long RemainingBalance { get; init; }

    /// <summary>Why the deduction failed, or <see cref="CreditDeductionError.None"/>.</summary>
    public required CreditDeductionError Error { get; init; }

    /// <summary>The ledger row of the charge; <see langword="null"/> for unlimited users and failures.</summary>
    public Guid? TransactionId { get; init; }

    /// <summary>The usage log row; <see langword="null"/> on failure.</summary>
    public Guid? UsageLogId { get; init; }

    /// <summary>
    /// Whether this is the stored outcome of an earlier call with the same idempotency key and the same request
    /// (nothing moved now). <see cref="Success"/> is then true although this call charged nothing: the use was paid for
    /// by the first call. Do not start the job again; return the first call's job (look it up by your job id, which the
    /// key should be made of). A key sent with another request is <see cref="CreditDeductionError.IdempotencyKeyConflict"/>.
    /// </summary>
    public bool IsReplay { get; init; }
}
