using System.Net;
using System.Net.Http.Json;
using MediaForge.Credits.AspNetCore.Tests.Infrastructure;
using MediaForge.Credits.Entities;
using MediaForge.Credits.Storage;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Stripe;

namespace MediaForge.Credits.AspNetCore.Tests.Development;

/// <summary>The development gateway: a test checkout instead of Stripe, completed through the real signed webhook path.</summary>
public sealed class DevelopmentGatewayTests(SqliteCreditsDatabase database) : IClassFixture<SqliteCreditsDatabase>, IAsyncLifetime
{
    private DevelopmentGatewayApp app = null!;

    public async Task InitializeAsync() => app = await DevelopmentGatewayApp.StartAsync(database, database.ConnectionString);

    public async Task DisposeAsync() => await app.DisposeAsync();

    private static string NewUser() => "user_" + Guid.NewGuid().ToString("N");

    private async Task<CheckoutSessionResponse> StartCheckoutAsync(string userId, string packageId = "pro")
    {
        var response = await app.Client(userId).PostAsJsonAsync("/api/stripe/create-checkout-session", new { packageId });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<CheckoutSessionResponse>())!;
    }

    private Task<HttpResponseMessage> PayAsync(string sessionId) =>
        app.Client().PostAsync($"/_mediaforge/checkout/{sessionId}/pay", null);

    [Fact]
    public async Task CreateCheckoutSession_NoStripeKey_ReturnsTestCheckoutUrl()
    {
        var session = await StartCheckoutAsync(NewUser());

        Assert.StartsWith("cs_dev_", session.SessionId, StringComparison.Ordinal);
        Assert.Equal($"http://localhost/_mediaforge/checkout/{session.SessionId}", session.Url);
    }

    [Fact]
    public async Task CheckoutPage_OpenSession_ShowsPackageAndAmount()
    {
        var session = await StartCheckoutAsync(NewUser());

        var html = await app.Client().GetStringAsync(new Uri(session.Url!).PathAndQuery);

        Assert.Contains("Pro – 200 credits", html, StringComparison.Ordinal);
        Assert.Contains("Pay $29.99", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckoutPage_UnknownSession_Returns404()
    {
        var response = await app.Client().GetAsync("/_mediaforge/checkout/cs_dev_unknown");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Pay_OpenSession_GrantsCreditsThroughSignedStripeWebhook()
    {
        var user = NewUser();
        var session = await StartCheckoutAsync(user);
        var before = await CompletedStripeEventsAsync();

        await PayAsync(session.SessionId!);

        Assert.Equal((200L, before + 1), (await app.BalanceAsync(user), await CompletedStripeEventsAsync()));
    }

    [Fact]
    public async Task Pay_OpenSession_RedirectsToSuccessUrlWithSessionId()
    {
        var session = await StartCheckoutAsync(NewUser());

        var response = await PayAsync(session.SessionId!);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal($"http://localhost/?checkout=success&session_id={session.SessionId}", response.Headers.Location!.ToString());
    }

    [Fact]
    public async Task Pay_SessionPaidBefore_GrantsOnce()
    {
        var user = NewUser();
        var session = await StartCheckoutAsync(user);
        await PayAsync(session.SessionId!);

        await PayAsync(session.SessionId!);

        Assert.Equal(200, await app.BalanceAsync(user));
    }

    [Fact]
    public async Task GetCheckoutSession_AfterPay_ReportsCompletedWithBalance()
    {
        var user = NewUser();
        var session = await StartCheckoutAsync(user, "enterprise");
        await PayAsync(session.SessionId!);

        var status = await app.Client(user).GetFromJsonAsync<CheckoutStatusResponse>($"/api/stripe/checkout-session/{session.SessionId}");

        Assert.Equal(("completed", 1000L), (status!.Status, status.Balance));
    }

    [Fact]
    public async Task Cancel_OpenSession_RedirectsToCancelUrlWithoutCredits()
    {
        var user = NewUser();
        var session = await StartCheckoutAsync(user);

        var response = await app.Client().PostAsync($"/_mediaforge/checkout/{session.SessionId}/cancel", null);

        Assert.Equal(("http://localhost/?checkout=cancelled", 0L), (response.Headers.Location!.ToString(), await app.BalanceAsync(user)));
    }

    [Fact]
    public async Task ClerkDevelopmentWebhook_SendUserCreated_GrantsStarterCredits()
    {
        var user = NewUser();

        var receipt = await SendUserCreatedAsync(user, isAdmin: false);

        Assert.Equal(("granted", 50L), (receipt.Outcome, await app.BalanceAsync(user)));
    }

    [Fact]
    public async Task ClerkDevelopmentWebhook_SecondSignIn_IsDuplicateWithoutNewCredits()
    {
        var user = NewUser();
        await SendUserCreatedAsync(user, isAdmin: false);

        var receipt = await SendUserCreatedAsync(user, isAdmin: false);

        Assert.Equal((true, 50L), (receipt.Duplicate, await app.BalanceAsync(user)));
    }

    [Fact]
    public async Task ClerkDevelopmentWebhook_Admin_MakesUserUnlimited()
    {
        var user = NewUser();

        await SendUserCreatedAsync(user, isAdmin: true);

        Assert.True(await app.WithServiceAsync<ICreditService, bool>(async c => (await c.GetBalanceAsync(user)).IsUnlimited));
    }

    [Fact]
    public void Start_GatewayOn_LogsWarning()
    {
        Assert.Contains(app.Logs, l => l.Level == LogLevel.Warning && l.Message.Contains("development gateway is ON", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Start_OutsideDevelopment_FailsWithExplanation()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            DevelopmentGatewayApp.StartAsync(database, database.ConnectionString, environment: "Production"));

        Assert.Contains("AllowOutsideDevelopment", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_OutsideDevelopmentWhenAllowed_ServesTestCheckout()
    {
        await using var staging = await DevelopmentGatewayApp.StartAsync(database, database.ConnectionString, environment: "Staging",
            settings: new Dictionary<string, string?> { ["MediaForge:Credits:Development:AllowOutsideDevelopment"] = "true" });

        var response = await staging.Client(NewUser()).PostAsJsonAsync("/api/stripe/create-checkout-session", new { packageId = "pro" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Start_WithStripeSecretKey_UsesRealStripe()
    {
        await using var real = await DevelopmentGatewayApp.StartAsync(database, database.ConnectionString,
            settings: new Dictionary<string, string?> { ["STRIPE_SECRET_KEY"] = "sk_test_real_key", ["STRIPE_WEBHOOK_SECRET"] = "whsec_real" });

        var client = real.Services.GetRequiredService<IStripeClient>();

        Assert.Equal("sk_test_real_key", client.ApiKey);
    }

    private Task<int> CompletedStripeEventsAsync() =>
        app.WithServiceAsync<CreditsDbContext, int>(db =>
            db.Set<WebhookEvent>().CountAsync(e => e.Provider == "stripe" && e.Type == "checkout.session.completed" && e.Outcome == "completed"));

    private Task<WebhookReceipt> SendUserCreatedAsync(string userId, bool isAdmin) =>
        app.WithServiceAsync<IClerkDevelopmentWebhook, WebhookReceipt>(clerk =>
            clerk.SendUserCreatedAsync(userId, userId + "@example.com", "Test User", isAdmin));
}
