using System.Text.Json.Nodes;

namespace MediaForge.Credits.AspNetCore.Tests.Infrastructure;

/// <summary>
/// Stripe's subscription events, from the documented payloads in <c>Payloads/</c> (API version with the invoice's
/// <c>parent.subscription_details</c>, line <c>pricing.price_details.price</c>, and the period on subscription items),
/// or in the older shape (<c>invoice.subscription</c>, line <c>price.id</c>, the period on the subscription).
/// </summary>
public static class SubscriptionPayloads
{
    private static JsonObject Load(string name) =>
        JsonNode.Parse(System.IO.File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Payloads", name)))!.AsObject();

    private static long Unix(DateTimeOffset at) => at.ToUnixTimeSeconds();

    private static JsonObject Metadata(string? userId) => userId is null ? new JsonObject() : new JsonObject { ["user_id"] = userId };

    /// <summary>An <c>invoice.paid</c> (or <c>invoice.payment_failed</c>) event of one subscription line.</summary>
    public static string Invoice(string subscriptionId, string? userId, string priceId, DateTimeOffset start, DateTimeOffset end, long created,
        long amount = 1900, string billingReason = "subscription_cycle", string? eventId = null, bool olderShape = false, string type = "invoice.paid")
    {
        var root = Load("stripe-invoice.paid.json");
        root["id"] = eventId ?? "evt_test_" + Guid.NewGuid().ToString("N");
        root["type"] = type;
        root["created"] = created;
        var invoice = root["data"]!["object"]!.AsObject();
        invoice["billing_reason"] = billingReason;
        invoice["amount_paid"] = type == "invoice.paid" ? Math.Max(0, amount) : 0;
        var line = invoice["lines"]!["data"]![0]!.AsObject();
        line["amount"] = amount;
        line["period"] = new JsonObject { ["start"] = Unix(start), ["end"] = Unix(end) };
        line["metadata"] = Metadata(userId);
        if (olderShape)
        {
            invoice.Remove("parent");
            invoice["subscription"] = subscriptionId;
            invoice["subscription_details"] = new JsonObject { ["metadata"] = Metadata(userId) };
            line.Remove("parent");
            line.Remove("pricing");
            line["subscription"] = subscriptionId;
            line["price"] = new JsonObject { ["id"] = priceId, ["object"] = "price", ["type"] = "recurring" };
        }
        else
        {
            invoice["parent"]!["subscription_details"]!["subscription"] = subscriptionId;
            invoice["parent"]!["subscription_details"]!["metadata"] = Metadata(userId);
            line["parent"]!["subscription_item_details"]!["subscription"] = subscriptionId;
            line["pricing"]!["price_details"]!["price"] = priceId;
        }

        return root.ToJsonString();
    }

    /// <summary>A <c>customer.subscription.*</c> event: the subscription on one price, with its status and current period.</summary>
    public static string Subscription(string type, string subscriptionId, string? userId, string priceId, string status, DateTimeOffset start,
        DateTimeOffset end, long created, string? eventId = null, bool olderShape = false, DateTimeOffset? endedAt = null)
    {
        var root = Load("stripe-customer.subscription.updated.json");
        root["id"] = eventId ?? "evt_test_" + Guid.NewGuid().ToString("N");
        root["type"] = type;
        root["created"] = created;
        var subscription = root["data"]!["object"]!.AsObject();
        subscription["id"] = subscriptionId;
        subscription["status"] = status;
        subscription["metadata"] = Metadata(userId);
        subscription["ended_at"] = endedAt is { } ended ? Unix(ended) : null;
        subscription["canceled_at"] = endedAt is { } canceled ? Unix(canceled) : null;
        var item = subscription["items"]!["data"]![0]!.AsObject();
        item["subscription"] = subscriptionId;
        item["price"]!["id"] = priceId;
        if (olderShape)
        {
            item.Remove("current_period_start");
            item.Remove("current_period_end");
            subscription["current_period_start"] = Unix(start);
            subscription["current_period_end"] = Unix(end);
        }
        else
        {
            item["current_period_start"] = Unix(start);
            item["current_period_end"] = Unix(end);
        }

        return root.ToJsonString();
    }
}
