using System.Net.Http.Json;
using MediaForge.Credits.AspNetCore.Stripe;
using MediaForge.Credits.AspNetCore.Tests.Infrastructure;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace MediaForge.Credits.AspNetCore.Tests.Gifts;

/// <summary>A gift checkout's return URL: the host's success URL marked <c>gift_checkout=1</c>, after its query and before its fragment; a checkout for oneself returns to it unmarked.</summary>
public sealed class GiftCheckoutReturnTests(SqliteCreditsDatabase database) : IClassFixture<SqliteCreditsDatabase>
{
    [Theory]
    [InlineData("/done", "https://app.example.com/done?gift_checkout=1")]
    [InlineData("/done?from=shop", "https://app.example.com/done?from=shop&gift_checkout=1")]
    [InlineData("/done#code", "https://app.example.com/done?gift_checkout=1#code")]
    [InlineData("/done?from=shop#code", "https://app.example.com/done?from=shop&gift_checkout=1#code")]
    public async Task GiftCheckout_SuccessUrl_IsMarkedAfterItsQueryAndBeforeItsFragment(string successUrl, string expected)
    {
        await using var app = await CreditsApp.StartAsync(database, database.ConnectionString, services =>
        {
            services.Configure<CreditsOptions>(o => o.Gifts.Enabled = true);
            services.Configure<CreditsHttpOptions>(o => o.PublicBaseUrl = "https://app.example.com");
            services.Configure<CreditsStripeOptions>(o => o.SuccessUrl = successUrl);
        });

        (await app.Client("user_" + Guid.NewGuid().ToString("N")).PostAsJsonAsync("/api/stripe/create-checkout-session", new { packageId = "pro", gift = true }))
            .EnsureSuccessStatusCode();

        Assert.Equal(expected, Assert.Single(app.Stripe.CreateRequests)["success_url"]);
    }

    [Fact]
    public async Task CheckoutForOneself_SuccessUrl_IsTheHostsUnmarked()
    {
        await using var app = await CreditsApp.StartAsync(database, database.ConnectionString, services =>
        {
            services.Configure<CreditsOptions>(o => o.Gifts.Enabled = true);
            services.Configure<CreditsHttpOptions>(o => o.PublicBaseUrl = "https://app.example.com");
            services.Configure<CreditsStripeOptions>(o => o.SuccessUrl = "/done?from=shop");
        });

        (await app.Client("user_" + Guid.NewGuid().ToString("N")).PostAsJsonAsync("/api/stripe/create-checkout-session", new { packageId = "pro" }))
            .EnsureSuccessStatusCode();

        Assert.Equal("https://app.example.com/done?from=shop", Assert.Single(app.Stripe.CreateRequests)["success_url"]);
    }
}
