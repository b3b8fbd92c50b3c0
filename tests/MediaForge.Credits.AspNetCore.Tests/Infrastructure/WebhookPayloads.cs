using System.Globalization;
using System.Text.Json.Nodes;
using System.Text;
using MediaForge.Credits.AspNetCore.Clerk;
using Stripe;

namespace MediaForge.Credits.AspNetCore.Tests.Infrastructure;

/// <summary>
/// Webhook deliveries built from the documented payload shapes in <c>Payloads/</c> (Stripe events, Clerk events) and
/// signed with the real schemes: Stripe's <c>t=...,v1=...</c> header and Svix's HMAC headers.
/// </summary>
public static class WebhookPayloads
{
    private static JsonObject Load(string name) =>
        JsonNode.Parse(System.IO.File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Payloads", name)))!.AsObject();

    /// <summary>A <c>checkout.session.*</c> event for a session, with the metadata the add-on puts on it.</summary>
    public static string StripeSessionEvent(string type, string sessionId, long amountTotal, string currency, string paymentStatus,
        IDictionary<string, string> metadata, string? eventId = null, string apiVersion = "2026-10-28.endive", string? paymentIntentId = null)
    {
        var root = Load(type == "checkout.session.expired" ? "stripe-checkout.session.expired.json" : "stripe-checkout.session.completed.json");
        root["id"] = eventId ?? "evt_test_" + Guid.NewGuid().ToString("N");
        root["type"] = type;
        root["api_version"] = apiVersion;
        var session = root["data"]!["object"]!.AsObject();
        session["id"] = sessionId;
        session["amount_total"] = amountTotal;
        session["amount_subtotal"] = amountTotal;
        session["currency"] = currency;
        session["payment_status"] = paymentStatus;
        session["client_reference_id"] = metadata.TryGetValue("user_id", out var user) ? user : null;
        if (type != "checkout.session.expired")
        {
            session["payment_intent"] = paymentIntentId ?? "pi_test_" + Guid.NewGuid().ToString("N");
        }

        session["metadata"] = new JsonObject(metadata.Select(m => KeyValuePair.Create(m.Key, (JsonNode?)JsonValue.Create(m.Value))));
        return root.ToJsonString();
    }

    /// <summary>A <c>payment_intent.payment_failed</c> event carrying the add-on's metadata.</summary>
    public static string StripePaymentFailed(IDictionary<string, string> metadata, string? eventId = null)
    {
        var root = Load("stripe-payment_intent.payment_failed.json");
        root["id"] = eventId ?? "evt_test_" + Guid.NewGuid().ToString("N");
        root["data"]!["object"]!["metadata"] = new JsonObject(metadata.Select(m => KeyValuePair.Create(m.Key, (JsonNode?)JsonValue.Create(m.Value))));
        return root.ToJsonString();
    }

    /// <summary>A <c>charge.refunded</c> event: <paramref name="amountRefunded"/> is Stripe's cumulative refunded amount.</summary>
    public static string StripeChargeRefunded(string paymentIntentId, long amount, long amountRefunded, string? eventId = null)
    {
        var root = Load("stripe-charge.refunded.json");
        root["id"] = eventId ?? "evt_test_" + Guid.NewGuid().ToString("N");
        var charge = root["data"]!["object"]!.AsObject();
        charge["payment_intent"] = paymentIntentId;
        charge["amount"] = amount;
        charge["amount_captured"] = amount;
        charge["amount_refunded"] = amountRefunded;
        charge["refunded"] = amountRefunded >= amount;
        return root.ToJsonString();
    }

    /// <summary>A <c>charge.dispute.*</c> event with a dispute status (<c>needs_response</c>, <c>won</c>, <c>lost</c>...).</summary>
    public static string StripeDispute(string type, string paymentIntentId, string disputeId, long amount, string status, string? eventId = null)
    {
        var root = Load("stripe-charge.dispute.created.json");
        root["id"] = eventId ?? "evt_test_" + Guid.NewGuid().ToString("N");
        root["type"] = type;
        var dispute = root["data"]!["object"]!.AsObject();
        dispute["id"] = disputeId;
        dispute["payment_intent"] = paymentIntentId;
        dispute["amount"] = amount;
        dispute["status"] = status;
        return root.ToJsonString();
    }

    /// <summary>Any Stripe event type (for "unknown types are ignored").</summary>
    public static string StripeOtherEvent(string type)
    {
        var root = Load("stripe-payment_intent.payment_failed.json");
        root["id"] = "evt_test_" + Guid.NewGuid().ToString("N");
        root["type"] = type;
        return root.ToJsonString();
    }

    public static HttpRequestMessage StripeRequest(string json, string? secret = CreditsApp.StripeWebhookSecret, DateTimeOffset? signedAt = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/stripe/webhook") { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (secret is not null)
        {
            request.Headers.Add("Stripe-Signature", EventUtility.GenerateSignatureHeader(json, secret, (signedAt ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds()));
        }

        return request;
    }

    /// <summary>The e-mail <see cref="ClerkUserEvent"/> gives a user by default: one per user, as Clerk's are.</summary>
    public static string ClerkEmail(string userId) => $"jane.doe+{userId}@example.com";

    /// <summary>A Clerk <c>user.*</c> event for a user id, from the documented payloads.</summary>
    /// <param name="email">The primary e-mail; default <see cref="ClerkEmail"/> (the free package is once per e-mail).</param>
    /// <param name="updatedAt">Clerk's <c>data.updated_at</c> (milliseconds since the epoch); default: the payload's.</param>
    public static string ClerkUserEvent(string type, string userId, string? email = null, string? role = null, long? updatedAt = null)
    {
        email ??= ClerkEmail(userId);
        var root = Load(type == "user.deleted" ? "clerk-user.deleted.json" : "clerk-user.created.json");
        root["type"] = type;
        var data = root["data"]!.AsObject();
        data["id"] = userId;
        if (type != "user.deleted")
        {
            data["email_addresses"]![0]!["email_address"] = email;
            data["public_metadata"] = role is null ? new JsonObject() : new JsonObject { ["role"] = role };
            if (updatedAt is { } stamp)
            {
                data["updated_at"] = stamp;
            }
        }

        return root.ToJsonString();
    }

    public static HttpRequestMessage ClerkRequest(string json, string? messageId = null, string? secret = CreditsApp.ClerkWebhookSecret,
        DateTimeOffset? signedAt = null, string? extraSignature = null)
    {
        var id = messageId ?? "msg_" + Guid.NewGuid().ToString("N");
        var timestamp = (signedAt ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds();
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/webhooks/clerk") { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.Add("svix-id", id);
        request.Headers.Add("svix-timestamp", timestamp.ToString(CultureInfo.InvariantCulture));
        if (secret is not null)
        {
            var signature = SvixSignatureVerifier.Sign(secret, id, timestamp, json);
            request.Headers.Add("svix-signature", extraSignature is null ? signature : $"{extraSignature} {signature}");
        }

        return request;
    }
}
