using MediaForge.Credits.AspNetCore.Tests.Infrastructure;
using MediaForge.Credits.Tests.Infrastructure;

namespace MediaForge.Credits.AspNetCore.Tests.Stripe;

/// <summary>Base of the Stripe webhook tests: real checkouts through the API, and signed deliveries to the webhook.</summary>
public abstract class StripeCheckoutAppTests<TDatabase>(TDatabase database) : CreditsAppTests<TDatabase>(database)
    where TDatabase : CreditsDatabase
{
    /// <summary>Starts a real checkout through the API and returns the session and the metadata the add-on sent Stripe.</summary>
    protected async Task<(string User, string SessionId, Dictionary<string, string> Metadata)> CheckoutAsync(string packageId = "pro")
    {
        var user = NewUser();
        var sessionId = await App.StartCheckoutAsync(user, packageId);
        var metadata = App.Stripe.CreateRequests.Last().Where(f => f.Key.StartsWith("metadata[", StringComparison.Ordinal))
            .ToDictionary(f => f.Key["metadata[".Length..^1], f => f.Value);
        return (user, sessionId, metadata);
    }

    protected async Task<HttpResponseMessage> SendAsync(string json, string? secret = CreditsApp.StripeWebhookSecret, DateTimeOffset? signedAt = null) =>
        await App.Client().SendAsync(WebhookPayloads.StripeRequest(json, secret, signedAt));
}
