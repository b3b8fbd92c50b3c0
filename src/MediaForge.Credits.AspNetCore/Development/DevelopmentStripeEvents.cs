using Stripe;

namespace MediaForge.Credits.AspNetCore.Development;

/// <summary>Signs a Stripe event around a <c>data.object</c> and posts it to the host's own Stripe webhook endpoint.</summary>
internal sealed class DevelopmentStripeEvents(
    DevelopmentWebhookSender sender,
    IOptions<CreditsDevelopmentOptions> options,
    IOptions<CreditsStripeOptions> stripe,
    TimeProvider time)
{
    /// <returns>The delivery's result, or <see langword="null"/> when no webhook secret is configured.</returns>
    public async Task<(bool Success, int Status, WebhookReceipt? Receipt)?> SendAsync(string type, object dataObject, CancellationToken cancellationToken)
    {
        var secret = stripe.Value.WebhookSecret;
        if (string.IsNullOrWhiteSpace(secret))
        {
            return null;
        }

        var now = time.GetUtcNow();
        var body = JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["id"] = "evt_dev_" + Guid.NewGuid().ToString("N"),
            ["object"] = "event",
            ["api_version"] = StripeConfiguration.ApiVersion,
            ["created"] = now.ToUnixTimeSeconds(),
            ["livemode"] = false,
            ["pending_webhooks"] = 1,
            ["request"] = new Dictionary<string, object?> { ["id"] = null, ["idempotency_key"] = null },
            ["type"] = type,
            ["data"] = new Dictionary<string, object?> { ["object"] = dataObject },
        });
        var signature = EventUtility.GenerateSignatureHeader(body, secret, now.ToUnixTimeSeconds());
        return await sender.PostAsync(options.Value.StripeWebhookPath, body, [new("Stripe-Signature", signature)], cancellationToken).ConfigureAwait(false);
    }
}
