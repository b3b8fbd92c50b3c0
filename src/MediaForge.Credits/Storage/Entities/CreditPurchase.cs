namespace MediaForge.Credits.Entities;

/// <summary>A purchase (or claim) of a credit pack (table <c>purchases</c>).</summary>
public sealed class CreditPurchase
{
    /// <summary>The purchase id.</summary>
    public Guid Id { get; set; }

    /// <summary>The buyer.</summary>
    public string UserId { get; set; } = "";

    /// <summary>The package bought.</summary>
    public string PackageId { get; set; } = "";

    /// <summary>Packs bought at once (1 for an ordinary purchase); <see langword="null"/> for a custom credit amount priced by the package's tiers.</summary>
    public int? Quantity { get; set; } = 1;

    /// <summary>Credits the purchase grants (computed from the package and its tiers when the purchase started).</summary>
    public long Credits { get; set; }

    /// <summary>Amount charged in minor units (cents).</summary>
    public long AmountCents { get; set; }

    /// <summary>ISO 4217 currency code, lower case.</summary>
    public string Currency { get; set; } = "usd";

    /// <summary>Where the purchase stands.</summary>
    public PurchaseStatus Status { get; set; }

    /// <summary>Who took the payment: <c>stripe</c>, <c>free</c>, or a development gateway.</summary>
    public string Provider { get; set; } = "";

    /// <summary>The payment provider's session id (Stripe checkout session id); unique.</summary>
    public string? ProviderSessionId { get; set; }

    /// <summary>The payment provider's payment id (Stripe payment intent id).</summary>
    public string? ProviderPaymentId { get; set; }

    /// <summary>The ledger row that granted the credits, once completed.</summary>
    public Guid? TransactionId { get; set; }

    /// <summary>Why the payment failed, if it did.</summary>
    public string? FailureReason { get; set; }

    /// <summary>Money refunded so far, in minor units (the provider's cumulative figure; never decreases).</summary>
    public long RefundedAmountCents { get; set; }

    /// <summary>The provider's id of the latest dispute of the payment, if any.</summary>
    public string? DisputeId { get; set; }

    /// <summary>Where that dispute stands.</summary>
    public PaymentDisputeState? DisputeState { get; set; }

    /// <summary>Money under dispute (open or lost), in minor units; 0 when none or won.</summary>
    public long DisputedAmountCents { get; set; }

    /// <summary>Credits removed so far because of refunds and disputes (restored credits are subtracted).</summary>
    public long CreditsClawedBack { get; set; }

    /// <summary>Credits that should have been removed but were already spent (clamp-at-zero policy).</summary>
    public long ClawbackShortfall { get; set; }

    /// <summary>When the purchase started (UTC).</summary>
    public DateTime CreatedAt { get; set; }

    /// <summary>When the purchase last changed status (UTC).</summary>
    public DateTime UpdatedAt { get; set; }

    /// <summary>When the credits were granted (UTC).</summary>
    public DateTime? CompletedAt { get; set; }

    /// <summary>Whether the pack was bought as a gift: fulfilment holds its credits under a gift instead of leaving them to the buyer.</summary>
    public bool IsGift { get; set; }

    /// <summary>
    /// For a purchase for a team's wallet (<see cref="UserId"/> is then the wallet's account), the owner or admin who
    /// started it; <see langword="null"/> for a user's own purchase.
    /// </summary>
    public string? PurchasedBy { get; set; }
}
