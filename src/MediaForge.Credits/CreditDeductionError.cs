namespace MediaForge.Credits;

/// <summary>Why a deduction did not take place.</summary>
public enum CreditDeductionError
{
    /// <summary>The deduction succeeded.</summary>
    None = 0,

    /// <summary>The user cannot pay the price; nothing was written.</summary>
    InsufficientCredits = 1,

    /// <summary>
    /// The idempotency key was already used by this user for a different operation (another feature, model or
    /// amount); nothing was written.
    /// </summary>
    IdempotencyKeyConflict = 2,
}
