namespace MediaForge.Credits;

/// <summary>What <see cref="ICreditPurchaseService.CompletePurchaseAsync"/> did.</summary>
public enum PurchaseFulfilmentOutcome
{
    /// <summary>The credits were granted now.</summary>
    Completed = 0,

    /// <summary>The purchase was already completed; nothing moved.</summary>
    AlreadyCompleted = 1,

    /// <summary>No purchase has that session id; nothing moved.</summary>
    NotFound = 2,

    /// <summary>The amount, currency or package paid differs from the pending purchase; nothing moved.</summary>
    Mismatch = 3,
}
