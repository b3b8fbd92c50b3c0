namespace MediaForge.Credits.Events;

/// <summary>An automatic top-up was charged and its credits granted (raised by auto top-up).</summary>
public sealed class TopUpSucceeded : CreditEvent
{
    /// <summary>The name on the wire: <c>top_up.succeeded</c>.</summary>
    public const string TypeName = "top_up.succeeded";

    /// <inheritdoc />
    public override string Type => TypeName;

    /// <summary>The top-up (one per crossing of the threshold).</summary>
    public Guid TopUpId { get; init; }

    /// <summary>The package bought.</summary>
    // Stryker disable once String : equivalent: the only raiser (CreditTopUpCharges) sets it, and every payload carries it (Serialize writes every property; it is as old as the event)
    public string PackageId { get; init; } = "";

    /// <summary>The credits granted.</summary>
    public long Credits { get; init; }

    /// <summary>The price charged, in minor units of <see cref="Currency"/>.</summary>
    public long AmountCents { get; init; }

    /// <summary>The ISO currency code, lower case.</summary>
    // Stryker disable once String : equivalent: the only raiser (CreditTopUpCharges) sets it, and every payload carries it (Serialize writes every property; it is as old as the event)
    public string Currency { get; init; } = "";
}
