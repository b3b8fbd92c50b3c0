namespace MediaForge.Credits.Events;

/// <summary>More of a purchase was refunded by the payment provider (raised for each refund that raises the refunded amount).</summary>
public sealed class PurchaseRefunded : CreditEvent
{
    /// <summary>The name on the wire: <c>purchase.refunded</c>.</summary>
    public const string TypeName = "purchase.refunded";

    /// <inheritdoc />
    public override string Type => TypeName;

    /// <summary>The purchase.</summary>
    public Guid PurchaseId { get; init; }

    /// <summary>The total refunded so far, in minor units of the purchase's currency.</summary>
    public long RefundedAmountCents { get; init; }

    /// <summary>The credits this refund took back from the wallet (0 when they were already spent and the policy clamps at zero).</summary>
    public long CreditsRemoved { get; init; }
}
