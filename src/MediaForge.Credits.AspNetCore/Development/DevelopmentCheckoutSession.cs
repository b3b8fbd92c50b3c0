namespace MediaForge.Credits.AspNetCore.Development;

/// <summary>A checkout session of the development gateway, with the fields Stripe returns for it.</summary>
internal sealed class DevelopmentCheckoutSession
{
    public required string Id { get; init; }

    public required string ProductName { get; init; }

    public string? ProductDescription { get; init; }

    public required long AmountTotal { get; init; }

    public required string Currency { get; init; }

    public string? ClientReferenceId { get; init; }

    public required string SuccessUrl { get; init; }

    public required string CancelUrl { get; init; }

    public required string Url { get; init; }

    public required IReadOnlyDictionary<string, string> Metadata { get; init; }

    public required DateTimeOffset Created { get; init; }

    /// <summary><c>payment</c> (a pack) or <c>subscription</c> (a plan, <see cref="PriceId"/>).</summary>
    public string Mode { get; init; } = "payment";

    /// <summary>The plan's Stripe price, in subscription mode.</summary>
    public string? PriceId { get; init; }

    /// <summary>The subscription made when a subscription-mode session is paid.</summary>
    public string? SubscriptionId { get; set; }

    /// <summary><c>open</c>, then <c>complete</c> once paid.</summary>
    public string Status { get; set; } = "open";

    /// <summary><c>unpaid</c>, then <c>paid</c>.</summary>
    public string PaymentStatus { get; set; } = "unpaid";

    public string? PaymentIntentId { get; set; }

    /// <summary><c>off_session</c> when the checkout asked to keep the card (auto top-up).</summary>
    public string? SetupFutureUsage { get; init; }

    /// <summary>The metadata the checkout put on its payment intent.</summary>
    public IReadOnlyDictionary<string, string> PaymentIntentMetadata { get; init; } = new Dictionary<string, string>();

    /// <summary>The session as Stripe's API represents it (the fields Stripe.net and the add-on read).</summary>
    public Dictionary<string, object?> ToStripeJson() => new()
    {
        ["id"] = Id,
        ["object"] = "checkout.session",
        ["url"] = Status == "open" ? Url : null,
        ["status"] = Status,
        ["payment_status"] = PaymentStatus,
        ["mode"] = Mode,
        ["subscription"] = SubscriptionId,
        ["amount_subtotal"] = AmountTotal,
        ["amount_total"] = AmountTotal,
        ["currency"] = Currency,
        ["client_reference_id"] = ClientReferenceId,
        ["success_url"] = SuccessUrl,
        ["cancel_url"] = CancelUrl,
        ["created"] = Created.ToUnixTimeSeconds(),
        ["livemode"] = false,
        ["metadata"] = Metadata,
        ["payment_intent"] = PaymentIntentId,
    };
}
