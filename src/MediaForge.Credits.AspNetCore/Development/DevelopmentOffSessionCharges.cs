using System.Net;
using System.Text;
using Stripe;

namespace MediaForge.Credits.AspNetCore.Development;

/// <summary>
/// The development gateway's saved card: a checkout that asked to keep it reports <c>payment_intent.succeeded</c> with a
/// test customer and payment method; an off-session <c>POST /v1/payment_intents</c> (auto top-up) succeeds, or is
/// declined while <see cref="Decline"/> is on, and reports itself through the host's webhook as Stripe would.
/// </summary>
internal sealed class DevelopmentOffSessionCharges(DevelopmentStripeEvents events)
{
    /// <summary>The test customer of the saved card.</summary>
    public const string Customer = "cus_dev_saved", PaymentMethod = "pm_dev_card_visa";

    private int decline;

    /// <summary>Whether off-session charges are declined (<c>card_declined</c>, <c>generic_decline</c>).</summary>
    public bool Decline
    {
        get => Volatile.Read(ref decline) == 1;
        set => Volatile.Write(ref decline, value ? 1 : 0);
    }

    /// <summary>After a paid checkout: reports its payment intent with the card kept, if the checkout asked to keep it.</summary>
    public async Task SaveCardAsync(DevelopmentCheckoutSession session, CancellationToken cancellationToken)
    {
        if (session.SetupFutureUsage != "off_session")
        {
            return;
        }

        var intent = Intent("pi_dev_" + Guid.NewGuid().ToString("N"), session.AmountTotal, session.Currency, "succeeded", session.PaymentIntentMetadata);
        intent["setup_future_usage"] = "off_session";
        await events.SendAsync(EventTypes.PaymentIntentSucceeded, intent, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>An off-session, confirmed payment intent: charged or declined at once, its event sent before the answer.</summary>
    public async Task<HttpResponseMessage> ChargeAsync(Dictionary<string, string> form, CancellationToken cancellationToken)
    {
        if (!form.TryGetValue("amount", out var amountText) || !long.TryParse(amountText, NumberStyles.None, CultureInfo.InvariantCulture, out var amount)
            || !form.TryGetValue("currency", out var currency) || form.GetValueOrDefault("off_session") != "true" || form.GetValueOrDefault("confirm") != "true")
        {
            return Json(HttpStatusCode.BadRequest, new { error = new { type = "invalid_request_error", message = "The development gateway charges confirmed off-session payment intents only." } });
        }

        var metadata = form.Where(f => f.Key.StartsWith("metadata[", StringComparison.Ordinal) && f.Key.EndsWith(']'))
            .ToDictionary(f => f.Key["metadata[".Length..^1], f => f.Value, StringComparer.Ordinal);
        var declined = Decline;
        var intent = Intent("pi_dev_" + Guid.NewGuid().ToString("N"), amount, currency, declined ? "requires_payment_method" : "succeeded", metadata);
        if (!declined)
        {
            await events.SendAsync(EventTypes.PaymentIntentSucceeded, intent, cancellationToken).ConfigureAwait(false);
            return Json(HttpStatusCode.OK, intent);
        }

        var error = new Dictionary<string, object?>
        {
            ["type"] = "card_error", ["code"] = "card_declined", ["decline_code"] = "generic_decline", ["message"] = "Your card was declined.",
        };
        intent["last_payment_error"] = error;
        await events.SendAsync(EventTypes.PaymentIntentPaymentFailed, intent, cancellationToken).ConfigureAwait(false);
        return Json(HttpStatusCode.PaymentRequired, new Dictionary<string, object?> { ["error"] = new Dictionary<string, object?>(error) { ["payment_intent"] = intent } });
    }

    private static Dictionary<string, object?> Intent(string id, long amount, string currency, string status, IReadOnlyDictionary<string, string> metadata) => new()
    {
        ["id"] = id,
        ["object"] = "payment_intent",
        ["amount"] = amount,
        ["amount_received"] = status == "succeeded" ? amount : 0,
        ["currency"] = currency,
        ["customer"] = Customer,
        ["payment_method"] = PaymentMethod,
        ["status"] = status,
        ["livemode"] = false,
        ["metadata"] = metadata,
    };

    private static HttpResponseMessage Json(HttpStatusCode status, object body) => new(status)
    {
        Content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json"),
    };
}
