using Stripe;
using Stripe.Checkout;

namespace MediaForge.Credits.AspNetCore.Stripe;

/// <summary>
/// Checks that a signed Stripe event has the shape its type promises before anything is recorded or applied: an id,
/// a type, a <c>data.object</c> of the right kind, non-negative amounts, a currency on a paid session and bounded
/// references. A signed event that fails is refused with a 400 and changes nothing.
/// </summary>
internal static class StripeEventShape
{
    /// <summary>The longest id or reference stored (the ledger's reference column length).</summary>
    public const int MaxReferenceLength = 255;

    /// <returns><see langword="null"/> when the event can be applied, else why not.</returns>
    public static string? Problem(Event stripeEvent)
    {
        if (!IsReference(stripeEvent.Id))
        {
            return "The event has no id, or an id longer than 255 characters.";
        }

        if (string.IsNullOrWhiteSpace(stripeEvent.Type) || stripeEvent.Type.Length > 100)
        {
            return "The event has no type, or a type longer than 100 characters.";
        }

        if (stripeEvent.Data?.Object is not { } data)
        {
            return "The event has no data.object.";
        }

        return stripeEvent.Type switch
        {
            EventTypes.CheckoutSessionCompleted or EventTypes.CheckoutSessionAsyncPaymentSucceeded => data is Session session
                ? Session(session, paid: session.PaymentStatus == "paid")
                : Expected("checkout.session"),
            EventTypes.CheckoutSessionAsyncPaymentFailed or EventTypes.CheckoutSessionExpired => data is Session session
                ? Session(session, paid: false)
                : Expected("checkout.session"),
            EventTypes.PaymentIntentPaymentFailed or EventTypes.PaymentIntentSucceeded => data is not PaymentIntent intent ? Expected("payment_intent")
                : !IsReference(intent.Id) ? "The payment intent has no id, or one longer than 255 characters."
                : intent.Amount < 0 ? "The payment intent has a negative amount."
                : OptionalReference(intent.CustomerId, "customer") ?? OptionalReference(intent.PaymentMethodId, "payment_method"),
            EventTypes.ChargeRefunded => data is not Charge charge ? Expected("charge")
                : charge.Amount < 0 || charge.AmountRefunded < 0 ? "The charge has a negative amount."
                : OptionalReference(charge.PaymentIntentId, "payment_intent"),
            EventTypes.ChargeDisputeCreated or EventTypes.ChargeDisputeUpdated or EventTypes.ChargeDisputeClosed => data is not Dispute dispute
                ? Expected("dispute")
                : dispute.Amount < 0 ? "The dispute has a negative amount."
                : !IsReference(dispute.Id) ? "The dispute has no id, or one longer than 255 characters."
                : OptionalReference(dispute.PaymentIntentId, "payment_intent"),
            _ => null,
        };
    }

    private static string? Session(Session session, bool paid) =>
        !IsReference(session.Id) ? "The checkout session has no id, or one longer than 255 characters."
        : session.AmountTotal < 0 ? "The checkout session has a negative amount."
        : paid && (session.Currency is not { Length: 3 } currency || !currency.All(char.IsAsciiLetter)) ? "The paid checkout session has no ISO currency."
        : OptionalReference(session.PaymentIntentId, "payment_intent");

    private static string? OptionalReference(string? value, string name) =>
        value is null || value.Length <= MaxReferenceLength ? null : $"The {name} is longer than {MaxReferenceLength} characters.";

    private static bool IsReference(string? value) => !string.IsNullOrWhiteSpace(value) && value.Length <= MaxReferenceLength;

    private static string Expected(string kind) => $"The event's data.object is not a {kind}.";
}
