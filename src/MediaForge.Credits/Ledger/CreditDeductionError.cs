using System.Text.Json.Serialization;

namespace MediaForge.Credits;

/// <summary>Why a deduction did not take place.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<CreditDeductionError>))]
public enum CreditDeductionError
{
    /// <summary>The deduction succeeded.</summary>
    None = 0,

    /// <summary>The user cannot pay the price; nothing was written.</summary>
    InsufficientCredits = 1,

    /// <summary>
    /// The idempotency key was already used by this user for a different request (another feature, model, prompt or
    /// metadata; a grant; another amount or reason); nothing was written. Over HTTP: 409 <c>idempotency_key_conflict</c>.
    /// </summary>
    IdempotencyKeyConflict = 2,
}
