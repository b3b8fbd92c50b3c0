namespace MediaForge.Credits.AspNetCore.Development;

/// <summary>A subscription of the development gateway: its user, plan price and current period (renewed on demand).</summary>
internal sealed class DevelopmentSubscription
{
    public required string Id { get; init; }

    public required string UserId { get; init; }

    public required string PriceId { get; init; }

    public required IReadOnlyDictionary<string, string> Metadata { get; init; }

    public DateTimeOffset PeriodStart { get; set; }

    public DateTimeOffset PeriodEnd { get; set; }

    /// <summary>The subscription's event bodies' <c>data.object</c>, in the current API shape (period on the item).</summary>
    public Dictionary<string, object?> ToStripeJson(string status) => new()
    {
        ["id"] = Id,
        ["object"] = "subscription",
        ["customer"] = "cus_dev_" + UserId.GetHashCode(StringComparison.Ordinal).ToString("x8", CultureInfo.InvariantCulture),
        ["status"] = status,
        ["metadata"] = Metadata,
        ["items"] = new Dictionary<string, object?>
        {
            ["object"] = "list",
            ["data"] = new[]
            {
                new Dictionary<string, object?>
                {
                    ["id"] = "si_" + Id,
                    ["object"] = "subscription_item",
                    ["price"] = new Dictionary<string, object?> { ["id"] = PriceId, ["object"] = "price", ["type"] = "recurring" },
                    ["quantity"] = 1,
                    ["current_period_start"] = PeriodStart.ToUnixTimeSeconds(),
                    ["current_period_end"] = PeriodEnd.ToUnixTimeSeconds(),
                },
            },
        },
    };

    /// <summary>The paid invoice of the current period, in the current API shape (<c>parent.subscription_details</c>).</summary>
    public Dictionary<string, object?> ToInvoiceJson(string billingReason) => new()
    {
        ["id"] = "in_dev_" + Guid.NewGuid().ToString("N"),
        ["object"] = "invoice",
        ["billing_reason"] = billingReason,
        ["status"] = "paid",
        ["currency"] = "usd",
        ["parent"] = new Dictionary<string, object?>
        {
            ["type"] = "subscription_details",
            ["subscription_details"] = new Dictionary<string, object?> { ["subscription"] = Id, ["metadata"] = Metadata },
        },
        ["lines"] = new Dictionary<string, object?>
        {
            ["object"] = "list",
            ["data"] = new[]
            {
                new Dictionary<string, object?>
                {
                    ["id"] = "il_dev_" + Guid.NewGuid().ToString("N"),
                    ["object"] = "line_item",
                    ["amount"] = 1, // not a trial line (those are 0)
                    ["metadata"] = Metadata,
                    ["period"] = new Dictionary<string, object?> { ["start"] = PeriodStart.ToUnixTimeSeconds(), ["end"] = PeriodEnd.ToUnixTimeSeconds() },
                    ["pricing"] = new Dictionary<string, object?> { ["type"] = "price_details", ["price_details"] = new Dictionary<string, object?> { ["price"] = PriceId } },
                },
            },
        },
    };
}
