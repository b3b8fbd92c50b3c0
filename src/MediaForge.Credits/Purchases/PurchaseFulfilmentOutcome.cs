using System.Text.Json.Serialization;

namespace MediaForge.Credits;

/// <summary>What <see cref="ICreditPurchaseService.CompletePurchaseAsync"/> did.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<PurchaseFulfilmentOutcome>))]
public enum PurchaseFulfilmentOutcome
{
    /// <summary>The credits were granted now.</summary>
    Completed = 0,

    /// <summary>The purchase was already completed; nothing moved.</summary>
    AlreadyCompleted = 1,

    /// <summary>No purchase has that session id; nothing moved.</summary>
    NotFound = 2,

    /// <summary>
    /// The amount, currency or package paid differs from the pending purchase, or the package is once per user and the
    /// user already got it; nothing moved (the detail says which).
    /// </summary>
    Mismatch = 3,
}
