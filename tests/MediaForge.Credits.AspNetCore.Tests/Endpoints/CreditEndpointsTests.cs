using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MediaForge.Credits.AspNetCore.Tests.Infrastructure;
using MediaForge.Credits.Entities;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace MediaForge.Credits.AspNetCore.Tests.Endpoints;

public abstract class CreditEndpointsTests<TDatabase>(TDatabase database) : CreditsAppTests<TDatabase>(database)
    where TDatabase : CreditsDatabase
{
    private Task GrantAsync(string userId, long amount) =>
        App.WithServiceAsync<CreditTransactionResult, ICreditService>(c => c.AddCreditsAsync(userId, amount, CreditTransactionType.Bonus, "test"));

    private static async Task<string?> ProblemCodeAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var code = problem.RootElement.GetProperty("code").GetString();
        Assert.Equal("urn:mediaforge:credits:" + code, problem.RootElement.GetProperty("type").GetString());
        return code;
    }

    [Theory]
    [InlineData("GET", "/api/credits/balance")]
    [InlineData("GET", "/api/credits/check?feature=image-generation&model=default")]
    [InlineData("GET", "/api/credits/transactions")]
    [InlineData("POST", "/api/stripe/create-checkout-session")]
    [InlineData("GET", "/api/stripe/checkout-session/cs_test_1")]
    public async Task UserEndpoints_Anonymous_Return401(string method, string path)
    {
        var response = await App.Client().SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = JsonContent.Create(new { packageId = "pro" }) });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Balance_SignedIn_ReturnsTheUsersOwnBalance()
    {
        var user = NewUser();
        await GrantAsync(user, 42);

        var balance = await App.Client(user).GetFromJsonAsync<CreditBalanceResponse>("/api/credits/balance");

        Assert.Equal(new CreditBalanceResponse(user, 42, 42, false, null, balance!.Categories), balance);
    }

    [Fact]
    public async Task Balance_CreditsOfSeveralCategories_ReportsTheSplitByCategoryName()
    {
        var user = NewUser();
        await App.WithServiceAsync<CreditTransactionResult, ICreditService>(c => c.AddCreditsAsync(user, 42, CreditTransactionType.Purchase, "pack"));
        await App.WithServiceAsync<CreditTransactionResult, ICreditService>(c =>
            c.AddExpiringCreditsAsync(user, 8, CreditTransactionType.Bonus, "plan", DateTimeOffset.UtcNow.AddDays(7), category: CreditCategory.Allowance));
        await App.WithServiceAsync<CreditTransactionResult, ICreditService>(c => c.AddCreditsAsync(user, 5, CreditTransactionType.Bonus, "welcome"));

        using var json = JsonDocument.Parse(await App.Client(user).GetStringAsync("/api/credits/balance"));

        var categories = json.RootElement.GetProperty("categories");
        Assert.Equal((42, 5, 8), (categories.GetProperty("paid").GetInt64(), categories.GetProperty("promotional").GetInt64(), categories.GetProperty("allowance").GetInt64()));
    }

    [Fact]
    public async Task Balance_WithExpiringCredits_ShowsWhatExpiresNextAndWhen()
    {
        var user = NewUser();
        var expiresAt = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.AddDays(7).ToUnixTimeSeconds());
        await App.WithServiceAsync<CreditTransactionResult, ICreditService>(c =>
            c.AddExpiringCreditsAsync(user, 30, CreditTransactionType.Bonus, "promo", expiresAt));

        var balance = await App.Client(user).GetFromJsonAsync<CreditBalanceResponse>("/api/credits/balance");

        Assert.Equal(new CreditExpiration(30, expiresAt), balance!.NextExpiration);
    }

    [Fact]
    public async Task Check_KnownFeature_ReturnsPriceAndAvailability()
    {
        var user = NewUser();
        await GrantAsync(user, 10);

        var check = await App.Client(user).GetFromJsonAsync<CreditCheckResponse>("/api/credits/check?feature=Video-Generation&model=veo2");

        Assert.Equal(new CreditCheckResponse("video-generation", "veo2", false, 15, 10, false), check);
    }

    [Fact]
    public async Task Check_UnknownFeature_Returns400ProblemNamingIt()
    {
        var response = await App.Client(NewUser()).GetAsync("/api/credits/check?feature=teleportation&model=hailuo");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("unknown_feature_pricing", await ProblemCodeAsync(response));
        Assert.Contains("teleportation", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Packages_Anonymous_ListThePacksWithPrices()
    {
        var packages = await App.Client().GetFromJsonAsync<List<CreditPackageResponse>>("/api/credits/packages");

        Assert.Equal(
            [new CreditPackageResponse("starter", "Starter", "50 free credits to try every feature", 50, 0, "Free", "usd", true, false, null),
             new CreditPackageResponse("pro", "Pro", "200 credits for regular creators", 200, 2999, "$29.99", "usd", false, true, null),
             new CreditPackageResponse("enterprise", "Enterprise", "1000 credits for teams and heavy use", 1000, 9999, "$99.99", "usd", false, false, null)],
            packages!.Select(p => p with { Tiers = null })); // tiers: VolumeCheckoutTests
    }

    [Fact]
    public async Task Packages_SignedInAfterClaimingStarter_ShowStarterClaimed()
    {
        var user = NewUser();
        var before = await App.Client(user).GetFromJsonAsync<List<CreditPackageResponse>>("/api/credits/packages");
        await App.Client(user).PostAsJsonAsync("/api/stripe/create-checkout-session", new { packageId = "starter" });

        var after = await App.Client(user).GetFromJsonAsync<List<CreditPackageResponse>>("/api/credits/packages");

        Assert.False(before!.Single(p => p.Id == "starter").Claimed);
        Assert.True(after!.Single(p => p.Id == "starter").Claimed);
        Assert.Null(after!.Single(p => p.Id == "pro").Claimed);
    }

    [Fact]
    public async Task CreateCheckoutSession_Pro_SendsTheServersPriceToStripe()
    {
        var user = NewUser();

        var response = await App.Client(user).PostAsJsonAsync("/api/stripe/create-checkout-session", new { packageId = "pro", priceCents = 1, unitAmount = 1, amountCents = 1 });

        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<CheckoutSessionResponse>();
        Assert.StartsWith("https://checkout.stripe.com/c/pay/cs_test_", body!.Url, StringComparison.Ordinal);
        var sent = Assert.Single(App.Stripe.CreateRequests);
        Assert.Equal("payment", sent["mode"]);
        Assert.Equal("2999", sent["line_items[0][price_data][unit_amount]"]);
        Assert.Equal("usd", sent["line_items[0][price_data][currency]"]);
        Assert.Equal("1", sent["line_items[0][quantity]"]);
        Assert.Equal(user, sent["client_reference_id"]);
        Assert.Equal(user, sent["metadata[user_id]"]);
        Assert.Equal("pro", sent["metadata[package_id]"]);
        Assert.Equal("200", sent["metadata[credits]"]);
        Assert.Equal(sent["metadata[purchase_id]"], sent["payment_intent_data[metadata][purchase_id]"]);
        Assert.Equal("http://localhost/?checkout=success&session_id={CHECKOUT_SESSION_ID}", sent["success_url"]);
        Assert.Equal("http://localhost/?checkout=cancelled", sent["cancel_url"]);
    }

    [Fact]
    public async Task CreateCheckoutSession_Pro_RecordsAPendingPurchaseForTheCaller()
    {
        var user = NewUser();

        var sessionId = await App.StartCheckoutAsync(user);

        var purchase = await App.DbAsync(db => db.Purchases.SingleAsync(p => p.ProviderSessionId == sessionId));
        Assert.Equal((user, "pro", 200L, 2999L, "usd", PurchaseStatus.Pending), (purchase.UserId, purchase.PackageId, purchase.Credits, purchase.AmountCents, purchase.Currency, purchase.Status));
        Assert.Equal(0, await App.BalanceAsync(user));
    }

    [Fact]
    public async Task CreateCheckoutSession_StarterTwice_GrantsFiftyOnceThenConflict()
    {
        var user = NewUser();
        var client = App.Client(user);

        var first = await client.PostAsJsonAsync("/api/stripe/create-checkout-session", new { packageId = "starter" });
        var second = await client.PostAsJsonAsync("/api/stripe/create-checkout-session", new { packageId = "starter" });

        Assert.Equal(new CheckoutSessionResponse(null, null, true, 50, 50), await first.Content.ReadFromJsonAsync<CheckoutSessionResponse>());
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        Assert.Equal("already_claimed", await ProblemCodeAsync(second));
        Assert.Equal(50, await App.BalanceAsync(user));
        Assert.Empty(App.Stripe.CreateRequests);
    }

    [Fact]
    public async Task CreateCheckoutSession_UnknownPackage_Returns404()
    {
        var response = await App.Client(NewUser()).PostAsJsonAsync("/api/stripe/create-checkout-session", new { packageId = "platinum" });

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("unknown_package", await ProblemCodeAsync(response));
    }

    [Fact]
    public async Task CreateCheckoutSession_StripeFails_Returns502AndMarksPurchaseFailed()
    {
        var user = NewUser();
        App.Stripe.FailWithStatus = 500;

        var response = await App.Client(user).PostAsJsonAsync("/api/stripe/create-checkout-session", new { packageId = "enterprise" });

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("payment_provider_error", await ProblemCodeAsync(response));
        Assert.Equal(PurchaseStatus.Failed, await App.DbAsync(db => db.Purchases.Where(p => p.UserId == user).Select(p => p.Status).SingleAsync()));
    }

    [Fact]
    public async Task CheckoutSession_PaidAtStripe_FulfilsFromTheSuccessPage()
    {
        var user = NewUser();
        var sessionId = await App.StartCheckoutAsync(user);
        App.Stripe.MarkPaid(sessionId);

        var status = await App.Client(user).GetFromJsonAsync<CheckoutStatusResponse>($"/api/stripe/checkout-session/{sessionId}");
        var again = await App.Client(user).GetFromJsonAsync<CheckoutStatusResponse>($"/api/stripe/checkout-session/{sessionId}");

        Assert.Equal(new CheckoutStatusResponse(sessionId, "pro", 200, "completed", "paid", 200), status);
        Assert.Equal("completed", again!.Status);
        Assert.Equal(200, await App.BalanceAsync(user));
    }

    [Fact]
    public async Task CheckoutSession_NotPaidYet_StaysPending()
    {
        var user = NewUser();
        var sessionId = await App.StartCheckoutAsync(user);

        var status = await App.Client(user).GetFromJsonAsync<CheckoutStatusResponse>($"/api/stripe/checkout-session/{sessionId}");

        Assert.Equal(("pending", "unpaid", 0L), (status!.Status, status.PaymentStatus, status.Balance));
    }

    [Fact]
    public async Task CheckoutSession_OfAnotherUser_Returns404AndFulfilsNothing()
    {
        var buyer = NewUser();
        var sessionId = await App.StartCheckoutAsync(buyer);
        App.Stripe.MarkPaid(sessionId);

        var response = await App.Client(NewUser()).GetAsync($"/api/stripe/checkout-session/{sessionId}");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(0, await App.BalanceAsync(buyer));
    }

    [Fact]
    public async Task History_SignedIn_ReturnsOnlyTheUsersOwnLedger()
    {
        var user = NewUser();
        await GrantAsync(user, 5);
        await GrantAsync(NewUser(), 7);

        var page = await App.Client(user).GetFromJsonAsync<CreditPage<CreditLedgerEntry>>("/api/credits/transactions?page=1&pageSize=10");

        Assert.Equal([5L], page!.Items.Select(t => t.Amount));
    }
}

public sealed class SqliteCreditEndpointsTests(SqliteCreditsDatabase database) : CreditEndpointsTests<SqliteCreditsDatabase>(database);

public sealed class PostgresCreditEndpointsTests(PostgresCreditsDatabase database) : CreditEndpointsTests<PostgresCreditsDatabase>(database);
