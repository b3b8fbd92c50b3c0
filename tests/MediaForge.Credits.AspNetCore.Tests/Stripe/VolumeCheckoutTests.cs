using System.Net.Http.Json;
using MediaForge.Credits.AspNetCore.Tests.Infrastructure;
using MediaForge.Credits.Entities;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace MediaForge.Credits.AspNetCore.Tests.Stripe;

/// <summary>
/// Volume checkouts over HTTP against the fake Stripe API: the server's price is what Stripe is asked to charge, a
/// session whose amount, credits or quantity were changed is refused and credits nothing, duplicates grant once.
/// </summary>
public abstract class VolumeCheckoutTests<TDatabase>(TDatabase database) : StripeCheckoutAppTests<TDatabase>(database)
    where TDatabase : CreditsDatabase
{
    private Task<HttpResponseMessage> CreateAsync(string user, object body) =>
        App.Client(user).PostAsJsonAsync("/api/stripe/create-checkout-session", body);

    /// <summary>Starts a volume checkout and returns the session and the metadata the add-on sent Stripe.</summary>
    private async Task<(string User, string SessionId, Dictionary<string, string> Metadata)> VolumeCheckoutAsync(object body)
    {
        var user = NewUser();
        var response = await CreateAsync(user, body);
        response.EnsureSuccessStatusCode();
        var sessionId = (await response.Content.ReadFromJsonAsync<CheckoutSessionResponse>())!.SessionId!;
        var metadata = App.Stripe.CreateRequests.Last().Where(f => f.Key.StartsWith("metadata[", StringComparison.Ordinal))
            .ToDictionary(f => f.Key["metadata[".Length..^1], f => f.Value);
        return (user, sessionId, metadata);
    }

    private Task<HttpResponseMessage> PaidAsync(string sessionId, long amount, IDictionary<string, string> metadata, string? eventId = null) =>
        SendAsync(WebhookPayloads.StripeSessionEvent("checkout.session.completed", sessionId, amount, "usd", "paid", metadata, eventId));

    [Fact]
    public async Task CreateCheckoutSession_TwentyFiveProPacks_AsksStripeForTheServersDiscountedAmount()
    {
        var response = await CreateAsync(NewUser(), new { packageId = "pro", quantity = 25 });

        var sent = App.Stripe.CreateRequests.Single();
        Assert.Equal(5000, (await response.Content.ReadFromJsonAsync<CheckoutSessionResponse>())!.Credits);
        Assert.Equal(("67478", "1", "usd", "25 × Pro – 5000 credits, 10% volume discount", "5000", "25"),
            (sent["line_items[0][price_data][unit_amount]"], sent["line_items[0][quantity]"], sent["line_items[0][price_data][currency]"],
             sent["line_items[0][price_data][product_data][name]"], sent["metadata[credits]"], sent["metadata[quantity]"]));
    }

    [Fact]
    public async Task CreateCheckoutSession_CustomAmount_ChargesThePricePerCreditAndSendsNoQuantity()
    {
        await CreateAsync(NewUser(), new { packageId = "pro", credits = 4999 });

        var sent = App.Stripe.CreateRequests.Single();
        Assert.Equal(("71212", "4999", false), (sent["line_items[0][price_data][unit_amount]"], sent["metadata[credits]"], sent.ContainsKey("metadata[quantity]")));
        Assert.Equal(71212, (long)App.Stripe.Sessions.Single().Value["amount_total"]!);
    }

    [Fact]
    public async Task Webhook_VolumeSessionPaidTheServersAmount_GrantsItsCredits()
    {
        var (user, sessionId, metadata) = await VolumeCheckoutAsync(new { packageId = "enterprise", quantity = 5 });

        var receipt = await (await PaidAsync(sessionId, 44996, metadata)).Content.ReadFromJsonAsync<WebhookReceipt>();

        Assert.Equal(("completed", 5000L), (receipt!.Outcome, await App.BalanceAsync(user)));
    }

    [Theory]
    [InlineData(49995L, null, null, "mismatch: amount 49995 paid, 44996 expected")]
    [InlineData(1L, null, null, "mismatch: amount 1 paid, 44996 expected")]
    [InlineData(44996L, "50000", null, "mismatch: credits 50000 paid for, 5000 expected")]
    [InlineData(44996L, null, "50", "mismatch: quantity 50 paid for, 5 expected")]
    [InlineData(44996L, "5e3", null, "mismatch: the session's metadata credits or quantity is not a number")]
    [InlineData(44996L, null, "-5", "mismatch: the session's metadata credits or quantity is not a number")]
    public async Task Webhook_TamperedVolumeSession_IsRefusedAndCreditsNothing(long amount, string? credits, string? quantity, string outcome)
    {
        var (user, sessionId, metadata) = await VolumeCheckoutAsync(new { packageId = "enterprise", quantity = 5 });
        metadata["credits"] = credits ?? metadata["credits"];
        metadata["quantity"] = quantity ?? metadata["quantity"];

        var receipt = await (await PaidAsync(sessionId, amount, metadata)).Content.ReadFromJsonAsync<WebhookReceipt>();

        Assert.Equal((outcome, 0L), (receipt!.Outcome, await App.BalanceAsync(user)));
        Assert.Equal(PurchaseStatus.Pending, await App.DbAsync(db => db.Purchases.Where(p => p.ProviderSessionId == sessionId).Select(p => p.Status).SingleAsync()));
    }

    [Fact]
    public async Task Webhook_VolumeSessionWithoutItsCreditsInTheMetadata_CreditsNothing()
    {
        var (user, sessionId, metadata) = await VolumeCheckoutAsync(new { packageId = "pro", credits = 1000 });
        metadata.Remove("credits");

        var receipt = await (await PaidAsync(sessionId, 14245, metadata)).Content.ReadFromJsonAsync<WebhookReceipt>();

        Assert.Equal(("mismatch: a volume purchase of 1000 credits, but the payment names no credits", 0L), (receipt!.Outcome, await App.BalanceAsync(user)));
    }

    [Fact]
    public async Task Webhook_VolumeSessionDeliveredTwiceAndAsTwoEvents_GrantsOnce()
    {
        var (user, sessionId, metadata) = await VolumeCheckoutAsync(new { packageId = "pro", quantity = 5 });
        await PaidAsync(sessionId, 14245, metadata, "evt_volume_" + sessionId);

        var duplicate = await (await PaidAsync(sessionId, 14245, metadata, "evt_volume_" + sessionId)).Content.ReadFromJsonAsync<WebhookReceipt>();
        var other = await (await PaidAsync(sessionId, 14245, metadata)).Content.ReadFromJsonAsync<WebhookReceipt>();

        Assert.Equal((true, "already_completed", 1000L), (duplicate!.Duplicate, other!.Outcome, await App.BalanceAsync(user)));
    }

    [Fact]
    public async Task CheckoutSession_StripeReportsATamperedAmount_GrantsNothing()
    {
        var (user, sessionId, _) = await VolumeCheckoutAsync(new { packageId = "pro", quantity = 25 });
        App.Stripe.MarkPaid(sessionId);
        App.Stripe.Sessions[sessionId]["amount_total"] = 2999L;

        var status = await App.Client(user).GetFromJsonAsync<CheckoutStatusResponse>($"/api/stripe/checkout-session/{sessionId}");

        Assert.Equal(("pending", 0L), (status!.Status, await App.BalanceAsync(user)));
    }

    [Fact]
    public async Task CheckoutSession_PaidVolumeSession_CompletesWithTheVolumesCredits()
    {
        var (user, sessionId, _) = await VolumeCheckoutAsync(new { packageId = "pro", quantity = 25 });
        App.Stripe.MarkPaid(sessionId);

        var status = await App.Client(user).GetFromJsonAsync<CheckoutStatusResponse>($"/api/stripe/checkout-session/{sessionId}");

        Assert.Equal(("completed", 5000L, 5000L), (status!.Status, status.Credits, await App.BalanceAsync(user)));
    }

    [Theory]
    [InlineData("""{"packageId":"pro","quantity":0}""", 400, "invalid_quantity")]
    [InlineData("""{"packageId":"pro","quantity":-3}""", 400, "invalid_quantity")]
    [InlineData("""{"packageId":"pro","quantity":101}""", 400, "invalid_quantity")]
    [InlineData("""{"packageId":"pro","quantity":2147483647}""", 400, "invalid_quantity")]
    [InlineData("""{"packageId":"pro","credits":-1}""", 400, "invalid_credits")]
    [InlineData("""{"packageId":"pro","credits":199}""", 400, "invalid_credits")]
    [InlineData("""{"packageId":"pro","credits":9223372036854775807}""", 400, "invalid_credits")]
    [InlineData("""{"packageId":"pro","quantity":2,"credits":400}""", 400, "quantity_and_credits")]
    [InlineData("""{"packageId":"starter","quantity":2}""", 422, "volume_not_available")]
    public async Task CreateCheckoutSession_HostileVolume_IsAProblemAndStartsNothing(string json, int status, string code)
    {
        var user = NewUser();

        var response = await App.Client(user).PostAsync("/api/stripe/create-checkout-session", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal((status, code), ((int)response.StatusCode, (await ProblemAnswer.ReadAsync(response)).Code));
        Assert.Empty(App.Stripe.CreateRequests);
        Assert.False(await App.DbAsync(db => db.Purchases.AnyAsync(p => p.UserId == user)));
    }

    [Theory]
    [InlineData("""{"packageId":"nope","quantity":0}""", "invalid_quantity", "The quantity must be at least 1 pack.")]
    [InlineData("""{"packageId":"nope","credits":0}""", "invalid_credits", "A custom credit amount must be at least 1 credit.")]
    public async Task CreateCheckoutSession_FigureBelowOne_IsRefusedBeforeThePackageIsLookedUp(string json, string code, string detail)
    {
        var response = await App.Client(NewUser()).PostAsync("/api/stripe/create-checkout-session", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal((400, code, detail), await ProblemAnswer.ReadAsync(response));
        Assert.Equal("The volume of the purchase is not accepted.", (await ProblemAnswer.ReadTextsAsync(response)).Title);
    }

    [Theory]
    [InlineData("""{"packageId":"nope","quantity":1}""")]
    [InlineData("""{"packageId":"nope","credits":1}""")]
    public async Task CreateCheckoutSession_FigureOfOne_PassesTheFirstCheckToThePackageLookup(string json)
    {
        var response = await App.Client(NewUser()).PostAsync("/api/stripe/create-checkout-session", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal("unknown_package", (await ProblemAnswer.ReadAsync(response)).Code);
    }

    [Fact]
    public async Task CreateCheckoutSession_VolumeOfAPackNotSoldInVolume_SaysSo()
    {
        var response = await App.Client(NewUser()).PostAsync("/api/stripe/create-checkout-session",
            new StringContent("""{"packageId":"starter","quantity":2}""", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal("This package is not sold in volume.", (await ProblemAnswer.ReadTextsAsync(response)).Title);
    }

    [Theory]
    [InlineData("""{"packageId":"pro","quantity":2147483648}""")]
    [InlineData("""{"packageId":"pro","quantity":"five"}""")]
    [InlineData("""{"packageId":"pro","quantity":2.5}""")]
    [InlineData("""{"packageId":"pro","credits":1e30}""")]
    [InlineData("""{"packageId":"pro","credits":99999999999999999999999}""")]
    public async Task CreateCheckoutSession_VolumeThatIsNotAWholeNumber_Returns400(string json)
    {
        var response = await App.Client(NewUser()).PostAsync("/api/stripe/create-checkout-session", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(400, (await ProblemAnswer.ReadAsync(response)).Status);
        Assert.Empty(App.Stripe.CreateRequests);
    }

    [Fact]
    public async Task Packages_ProPack_ListsItsTiersWithTheServersPriceAtEachThreshold()
    {
        var packages = await App.Client().GetFromJsonAsync<List<CreditPackageResponse>>("/api/credits/packages");

        Assert.Equal([new CreditPackageTierResponse(1000, 5, 500, 14245, 750), new CreditPackageTierResponse(5000, 25, 1000, 67478, 7497)],
            packages!.Single(p => p.Id == "pro").Tiers!);
        Assert.Empty(packages!.Single(p => p.Id == "starter").Tiers!);
    }

    [Fact]
    public async Task Quote_CustomAmount_AnswersTheServersPriceAndSaving()
    {
        var quote = await App.Client().GetFromJsonAsync<CreditVolumeQuoteResponse>("/api/credits/packages/pro/quote?credits=5000");

        Assert.Equal(new CreditVolumeQuoteResponse("pro", null, 5000, 1000, 74975, 67478, 7497, "$674.78", "usd"), quote);
    }

    [Theory]
    [InlineData("quantity=abc", 400, "invalid_quantity")]
    [InlineData("quantity=-1", 400, "invalid_quantity")]
    [InlineData("quantity=99999999999", 400, "invalid_quantity")]
    [InlineData("credits=12345678901234567890", 400, "invalid_credits")]
    [InlineData("credits=1%2C000", 400, "invalid_credits")]
    [InlineData("credits=10", 400, "invalid_credits")]
    public async Task Quote_JunkOrOutOfRange_Returns400(string query, int status, string code)
    {
        var response = await App.Client().GetAsync("/api/credits/packages/pro/quote?" + query);

        Assert.Equal((status, code), ((int)response.StatusCode, (await ProblemAnswer.ReadAsync(response)).Code));
    }

    [Fact]
    public async Task Quote_UnknownOrFreePackage_Returns404()
    {
        var response = await App.Client().GetAsync("/api/credits/packages/starter/quote?quantity=2");

        Assert.Equal((404, "unknown_package"), ((int)response.StatusCode, (await ProblemAnswer.ReadAsync(response)).Code));
    }
}

public sealed class SqliteVolumeCheckoutTests(SqliteCreditsDatabase database) : VolumeCheckoutTests<SqliteCreditsDatabase>(database);

public sealed class PostgresVolumeCheckoutTests(PostgresCreditsDatabase database) : VolumeCheckoutTests<PostgresCreditsDatabase>(database);
