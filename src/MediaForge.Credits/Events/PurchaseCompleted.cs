namespace MediaForge.Credits.Events;

/// <summary>A paid purchase was fulfilled: its credits were granted (once, whatever the retries of the payment events).</summary>
public sealed class PurchaseCompleted : CreditEvent
{
    /// <summary>The name on the wire: <c>purchase.completed</c>.</summary>
    public const string TypeName = "purchase.completed";

    /// <inheritdoc />
    public override string Type => TypeName;

    /// <summary>The purchase.</summary>
    public Guid PurchaseId { get; init; }

    /// <summary>The package bought.</summary>
    // Stryker disable once String : equivalent: the only raiser (CreditPurchaseService) sets it, and every payload carries it (Serialize writes every property; it is as old as the event)
    public string PackageId { get; init; } = "";

    /// <summary>The credits granted.</summary>
    public long Credits { get; init; }

    /// <summary>The price paid, in minor units of <see cref="Currency"/>.</summary>
    public long AmountCents { get; init; }

    /// <summary>The ISO currency code, lower case.</summary>
    // Stryker disable once String : equivalent: the only raiser (CreditPurchaseService) sets it, and every payload carries it (Serialize writes every property; it is as old as the event)
    public string Currency { get; init; } = "";
}
