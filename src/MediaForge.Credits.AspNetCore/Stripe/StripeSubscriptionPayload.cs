using System.Text.Json;
using MediaForge.Credits.Subscriptions;

namespace MediaForge.Credits.AspNetCore.Stripe;

/// <summary>
/// Reads the subscription events' <c>data.object</c> from the signed body itself, in both of Stripe's shapes: the
/// invoice's subscription as <c>subscription</c> (older API versions) or <c>parent.subscription_details.subscription</c>,
/// a line's price as <c>price.id</c> or <c>pricing.price_details.price</c>, a subscription's period on the object
/// (older) or on its items (<c>items.data[].current_period_start/end</c>). Ids are bounded; at most
/// <see cref="MaxLines"/> lines are read.
/// </summary>
internal static class StripeSubscriptionPayload
{
    /// <summary>The most invoice lines read.</summary>
    public const int MaxLines = 100;

    /// <summary>The invoice of an <c>invoice.*</c> event, or <see langword="null"/> when it is not a subscription's.</summary>
    /// <exception cref="FormatException">An id is longer than <see cref="StripeEventShape.MaxReferenceLength"/> or a period is not a Unix time.</exception>
    public static CreditSubscriptionInvoice? Invoice(JsonElement invoice, long created)
    {
        var details = Path(invoice, "parent", "subscription_details");
        var subscription = Id(Path(invoice, "subscription")) ?? Id(Path(details, "subscription"));
        if (subscription is null)
        {
            return null;
        }

        var lines = new List<CreditInvoiceLine>();
        string? lineUser = null;
        if (Path(invoice, "lines", "data") is { ValueKind: JsonValueKind.Array } data)
        {
            foreach (var line in data.EnumerateArray().Take(MaxLines))
            {
                var price = Id(Path(line, "price")) ?? Id(Path(line, "pricing", "price_details", "price")) ?? Id(Path(line, "plan"));
                if (price is not null && Path(line, "period") is { ValueKind: JsonValueKind.Object } period)
                {
                    lines.Add(new CreditInvoiceLine(price, Time(Path(period, "start")), Time(Path(period, "end")),
                        Path(line, "amount") is { ValueKind: JsonValueKind.Number } amount ? amount.GetInt64() : 0));
                }

                lineUser ??= UserOf(line);
            }
        }

        var user = UserOf(details) ?? UserOf(Path(invoice, "subscription_details")) ?? lineUser;
        return new CreditSubscriptionInvoice(subscription, Id(Path(invoice, "customer")), user, created, Text(Path(invoice, "billing_reason")), lines);
    }

    /// <summary>The subscription of a <c>customer.subscription.*</c> event.</summary>
    /// <exception cref="FormatException">It has no id, an id is too long, or a time is not a Unix time.</exception>
    public static CreditSubscriptionState State(JsonElement subscription, long created, bool deleted)
    {
        var id = Id(Path(subscription, "id")) ?? throw new FormatException("The subscription has no id.");
        var item = Path(subscription, "items", "data") is { ValueKind: JsonValueKind.Array } items && items.GetArrayLength() > 0 ? items[0] : default;
        var price = Id(Path(item, "price")) ?? Id(Path(item, "plan"));
        var start = Path(item, "current_period_start") ?? Path(subscription, "current_period_start");
        var end = Path(item, "current_period_end") ?? Path(subscription, "current_period_end");
        var status = deleted ? CreditSubscriptionStatus.Canceled : Text(Path(subscription, "status")) switch
        {
            "active" => CreditSubscriptionStatus.Active,
            "trialing" => CreditSubscriptionStatus.Trialing,
            "past_due" or "unpaid" => CreditSubscriptionStatus.PastDue,
            "paused" => CreditSubscriptionStatus.Paused,
            "canceled" or "incomplete_expired" => CreditSubscriptionStatus.Canceled,
            _ => CreditSubscriptionStatus.Incomplete,
        };
        DateTime? ended = Path(subscription, "ended_at") is { ValueKind: JsonValueKind.Number } endedAt ? Time(endedAt)
            : Path(subscription, "canceled_at") is { ValueKind: JsonValueKind.Number } canceledAt ? Time(canceledAt) : null;
        return new CreditSubscriptionState(id, Id(Path(subscription, "customer")), UserOf(subscription), created, price, status,
            start is { ValueKind: JsonValueKind.Number } s ? Time(s) : null, end is { ValueKind: JsonValueKind.Number } e ? Time(e) : null, ended);
    }

    /// <summary>The subscription an <c>invoice.payment_failed</c> is about, or <see langword="null"/>.</summary>
    public static string? SubscriptionOf(JsonElement invoice) =>
        Id(Path(invoice, "subscription")) ?? Id(Path(invoice, "parent", "subscription_details", "subscription"));

    private static string? UserOf(JsonElement? owner) => Text(Path(owner, "metadata", "user_id"));

    private static JsonElement? Path(JsonElement? element, params string[] names)
    {
        foreach (var name in names)
        {
            if (element is not { ValueKind: JsonValueKind.Object } current || !current.TryGetProperty(name, out var next) || next.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            element = next;
        }

        return element;
    }

    /// <summary>An id given as a string, or as an expanded object's <c>id</c>.</summary>
    private static string? Id(JsonElement? value) => value is { ValueKind: JsonValueKind.Object } expanded ? Text(Path(expanded, "id")) : Text(value);

    private static string? Text(JsonElement? value)
    {
        if (value is not { ValueKind: JsonValueKind.String } text || text.GetString() is not { Length: > 0 } result)
        {
            return null;
        }

        return result.Length <= StripeEventShape.MaxReferenceLength ? result
            : throw new FormatException($"A value is longer than {StripeEventShape.MaxReferenceLength} characters.");
    }

    private static DateTime Time(JsonElement? value) =>
        value is { ValueKind: JsonValueKind.Number } number && number.TryGetInt64(out var seconds) && seconds is >= 0 and < 253402300800
            ? DateTimeOffset.FromUnixTimeSeconds(seconds).UtcDateTime
            : throw new FormatException("A period is not a Unix time.");
}
