using System.Text.Json.Nodes;

namespace MediaForge.Credits.AspNetCore.Tests.Infrastructure;

/// <summary>
/// Stripe's <c>payment_intent.succeeded</c> and <c>payment_intent.payment_failed</c> events as documented (id, amount,
/// currency, customer, payment_method, status, metadata, last_payment_error with code and decline_code), for top-ups
/// and for the checkout that keeps a card.
/// </summary>
public static class TopUpPayloads
{
    public static string Succeeded(string paymentIntentId, long amount, string currency, IDictionary<string, string> metadata, string? customer = "cus_test",
        string? paymentMethod = "pm_test", string? setupFutureUsage = null, string? eventId = null) =>
        Build("stripe-payment_intent.succeeded.json", "payment_intent.succeeded", paymentIntentId, amount, currency, metadata, customer, paymentMethod,
            "succeeded", setupFutureUsage, null, null, eventId);

    public static string Failed(string paymentIntentId, long amount, IDictionary<string, string> metadata, string status = "requires_payment_method",
        string? code = "card_declined", string? declineCode = "insufficient_funds", string? eventId = null) =>
        Build("stripe-payment_intent.payment_failed.json", "payment_intent.payment_failed", paymentIntentId, amount, "usd", metadata, "cus_test", "pm_test",
            status, null, code, declineCode, eventId);

    /// <summary>The metadata the worker puts on a top-up's payment intent.</summary>
    public static Dictionary<string, string> TopUp(Guid topUpId, int attempt, string wallet) => new()
    {
        ["top_up_id"] = topUpId.ToString(),
        ["top_up_attempt"] = attempt.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["wallet_id"] = wallet,
        ["package_id"] = "pro",
    };

    private static string Build(string file, string type, string id, long amount, string currency, IDictionary<string, string> metadata, string? customer,
        string? paymentMethod, string status, string? setupFutureUsage, string? code, string? declineCode, string? eventId)
    {
        var root = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Payloads", file)))!.AsObject();
        root["id"] = eventId ?? "evt_test_" + Guid.NewGuid().ToString("N");
        root["type"] = type;
        var intent = root["data"]!["object"]!.AsObject();
        intent["id"] = id;
        intent["amount"] = amount;
        intent["amount_received"] = status == "succeeded" ? amount : 0;
        intent["currency"] = currency;
        intent["customer"] = customer;
        intent["payment_method"] = paymentMethod;
        intent["status"] = status;
        intent["setup_future_usage"] = setupFutureUsage;
        intent["metadata"] = new JsonObject(metadata.Select(m => KeyValuePair.Create(m.Key, (JsonNode?)JsonValue.Create(m.Value))));
        if (intent["last_payment_error"] is JsonObject error)
        {
            error["code"] = code;
            error["decline_code"] = declineCode;
        }

        return root.ToJsonString();
    }
}
