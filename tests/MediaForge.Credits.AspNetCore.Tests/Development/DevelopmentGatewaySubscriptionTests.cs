using System.Net;
using System.Net.Http.Json;
using MediaForge.Credits.AspNetCore.Tests.Infrastructure;
using MediaForge.Credits.Tests.Infrastructure;

namespace MediaForge.Credits.AspNetCore.Tests.Development;

/// <summary>The development gateway subscribes to a plan and renews it through the real signed webhook path.</summary>
public sealed class DevelopmentGatewaySubscriptionTests(SqliteCreditsDatabase database) : IClassFixture<SqliteCreditsDatabase>, IAsyncLifetime
{
    private DevelopmentGatewayApp app = null!;

    public async Task InitializeAsync() => app = await DevelopmentGatewayApp.StartAsync(database, database.ConnectionString, settings: new Dictionary<string, string?>
    {
        ["MediaForge:Credits:DefaultPlans:0:Id"] = "creator",
        ["MediaForge:Credits:DefaultPlans:0:Name"] = "Creator",
        ["MediaForge:Credits:DefaultPlans:0:StripePriceId"] = "price_creator_monthly",
        ["MediaForge:Credits:DefaultPlans:0:CreditsPerPeriod"] = "500",
        ["MediaForge:Credits:DefaultPlans:0:RolloverPolicy"] = "Rollover",
        ["MediaForge:Credits:DefaultPlans:0:RolloverCap"] = "250",
    });

    public async Task DisposeAsync() => await app.DisposeAsync();

    private async Task<(string User, CheckoutSessionResponse Session)> SubscribeAsync()
    {
        var user = "user_" + Guid.NewGuid().ToString("N");
        var response = await app.Client(user).PostAsJsonAsync("/api/stripe/create-checkout-session", new { planId = "creator" });
        response.EnsureSuccessStatusCode();
        return (user, (await response.Content.ReadFromJsonAsync<CheckoutSessionResponse>())!);
    }

    [Fact]
    public async Task Pay_SubscriptionCheckout_GrantsTheFirstMonthsAllowanceAndTheBalanceShowsThePlan()
    {
        var (user, session) = await SubscribeAsync();

        var paid = await app.Client().PostAsync($"/_mediaforge/checkout/{session.SessionId}/pay", null);
        var balance = await app.Client(user).GetFromJsonAsync<CreditBalanceResponse>("/api/credits/balance");

        Assert.Equal(HttpStatusCode.Redirect, paid.StatusCode);
        Assert.Equal((500L, "creator", 500L, CreditSubscriptionStatus.Active),
            (balance!.Balance, balance.Subscription!.PlanId, balance.Subscription.AllowanceLeft, balance.Subscription.Status));
    }

    [Fact]
    public async Task Renew_OnTheSubscriptionsPage_GrantsTheNextMonthWithTheCappedRollover()
    {
        var (user, session) = await SubscribeAsync();
        await app.Client().PostAsync($"/_mediaforge/checkout/{session.SessionId}/pay", null);
        var page = await app.Client().GetStringAsync("/_mediaforge/checkout/subscriptions");
        var renew = page[(page.IndexOf("/_mediaforge/checkout/subscriptions/sub_dev_", StringComparison.Ordinal))..];
        renew = renew[..renew.IndexOf('"', StringComparison.Ordinal)];

        var response = await app.Client().PostAsync(renew, null);
        var balance = await app.Client(user).GetFromJsonAsync<CreditBalanceResponse>("/api/credits/balance");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal((750L, 750L), (balance!.Balance, balance.Subscription!.AllowanceLeft)); // 500 new, 250 of the 500 unused carried
        Assert.True(balance.Subscription.CurrentPeriodEnd > DateTimeOffset.UtcNow.AddDays(40));
    }

    [Fact]
    public async Task CreateCheckoutSession_AlreadySubscribed_Returns409()
    {
        var (user, session) = await SubscribeAsync();
        await app.Client().PostAsync($"/_mediaforge/checkout/{session.SessionId}/pay", null);

        var again = await app.Client(user).PostAsJsonAsync("/api/stripe/create-checkout-session", new { planId = "creator" });

        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
    }

    [Theory]
    [InlineData("{\"planId\":\"nope\"}", HttpStatusCode.NotFound)]
    [InlineData("{\"planId\":\"\"}", HttpStatusCode.BadRequest)]
    [InlineData("{\"planId\":\"creator\",\"packageId\":\"pro\"}", HttpStatusCode.BadRequest)]
    public async Task CreateCheckoutSession_BadPlan_IsAProblem(string body, HttpStatusCode status)
    {
        var response = await app.Client("user_" + Guid.NewGuid().ToString("N")).PostAsync("/api/stripe/create-checkout-session",
            new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
