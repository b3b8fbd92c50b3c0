namespace MediaForge.Credits.Ledger;

/// <summary>
/// A validated deduction. Its operation id is the id of the usage log it writes (and the charge id that of its
/// ledger row), chosen once for every attempt, alone or in a batch: a failed commit is settled by looking it up,
/// never by charging again. On a team's wallet, <see cref="UserId"/> is the wallet's account and <see cref="MemberId"/>
/// the member who spends.
/// </summary>
internal sealed record CreditDeductionRequest(string UserId, string Feature, string Model, long Price, string? Prompt, string? Metadata,
    string? IdempotencyKey, Guid OperationId, Guid ChargeId, string? MemberId = null);

/// <summary>
/// What a batch of deductions did: every result once committed, or, when it was rolled back, the one that failed
/// (-1 when that is not known: one statement for several) and why.
/// </summary>
internal sealed record CreditDeductionBatchOutcome(CreditDeductionResult[]? Results, int FailedIndex, Exception? Failure)
{
    /// <summary>
    /// Whether the caller of deduction <paramref name="index"/> gets <see cref="Failure"/>: its own deduction failed with
    /// anything but a database error (a database error, a duplicate key in the same batch say, is not the caller's own
    /// lost race: it runs alone like the others and meets the database's verdict there).
    /// </summary>
    public bool IsFailureOf(int index) => index == FailedIndex && Failure is not System.Data.Common.DbException;
}

/// <summary>What one deduction did inside its transaction: its result, whether it wrote anything, and (when refused) the credits it found.</summary>
internal readonly record struct CreditDeductionOutcome(CreditDeductionRequest Request, bool Wrote, long Available, CreditDeductionResult Result);
