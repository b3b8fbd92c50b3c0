using System.Net;
using MediaForge.Credits.AspNetCore.Stripe;
using MediaForge.Credits.AspNetCore.Tests.Infrastructure;
using MediaForge.Credits.AspNetCore.Tests.Subscriptions;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Stripe;

namespace MediaForge.Credits.AspNetCore.Tests.Stripe;

/// <summary>
/// A host without a Stripe secret key or webhook secret: paid checkouts and the webhook answer 503 <c>not_configured</c>,
/// naming the missing setting, and ask nothing of Stripe.
/// </summary>
public sealed class StripeNotConfiguredTests(SqliteCreditsDatabase database) : IClassFixture<SqliteCreditsDatabase>, IAsyncLifetime
{
    private CreditsApp app = null!;

    public async Task InitializeAsync() => app = await CreditsApp.StartAsync(database, database.ConnectionString, services =>
    {
        services.RemoveAll<IStripeClient>();
        services.Configure<CreditsStripeOptions>(o => (o.SecretKey, o.WebhookSecret) = ("", ""));
        services.Configure<CreditsOptions>(SubscriptionAppTests<SqliteCreditsDatabase>.AddPlans);
    });

    public async Task DisposeAsync() => await app.DisposeAsync();

    [Theory]
    [InlineData("{\"packageId\":\"pro\"}")]
    [InlineData("{\"planId\":\"basic\"}")]
    public async Task Checkout_WithoutAStripeKey_Is503NotConfigured(string body)
    {
        var response = await app.Client("user_" + Guid.NewGuid().ToString("N"))
            .PostAsync("/api/stripe/create-checkout-session", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("not_configured", (await ProblemAnswer.ReadAsync(response)).Code);
        Assert.Equal("Stripe (STRIPE_SECRET_KEY) is not configured.", (await ProblemAnswer.ReadTextsAsync(response)).Title);
        Assert.Empty(app.Stripe.CreateRequests);
    }

    [Fact]
    public async Task Webhook_WithoutAWebhookSecret_Is503NotConfiguredNamingTheSetting()
    {
        var response = await app.Client().SendAsync(WebhookPayloads.StripeRequest(WebhookPayloads.StripeOtherEvent("customer.created"), CreditsApp.StripeWebhookSecret, null));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("not_configured", (await ProblemAnswer.ReadAsync(response)).Code);
        Assert.Equal("The Stripe webhook secret (STRIPE_WEBHOOK_SECRET) is not configured.", (await ProblemAnswer.ReadTextsAsync(response)).Title);
    }
}
