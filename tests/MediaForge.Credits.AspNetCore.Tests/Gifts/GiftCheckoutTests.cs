using System.Net;
using System.Net.Http.Json;
using MediaForge.Credits.AspNetCore.Tests.Infrastructure;
using MediaForge.Credits.Tests.Infrastructure;

namespace MediaForge.Credits.AspNetCore.Tests.Gifts;

/// <summary>
/// <c>POST /api/stripe/create-checkout-session { packageId, gift: true }</c>: a gift purchase, fulfilled by the webhook or
/// the success page into one pending gift whose code the buyer gets from <c>POST /api/credits/gifts/{id}/code</c>.
/// </summary>
public abstract class GiftCheckoutTests<TDatabase>(TDatabase database) : GiftAppTests<TDatabase>(database)
    where TDatabase : CreditsDatabase
{
    /// <summary>Starts a gift checkout of Pro for a new buyer: the session id and the fields the add-on sent Stripe.</summary>
    private async Task<(string Buyer, string SessionId, Dictionary<string, string> Sent)> GiftCheckoutAsync()
    {
        var buyer = NewUser();
        var response = await App.Client(buyer).PostAsJsonAsync("/api/stripe/create-checkout-session", new { packageId = "pro", gift = true });
        response.EnsureSuccessStatusCode();
        var session = (await response.Content.ReadFromJsonAsync<CheckoutSessionResponse>())!;
        return (buyer, session.SessionId!, App.Stripe.CreateRequests.Last());
    }

    private static Dictionary<string, string> Metadata(Dictionary<string, string> sent) =>
        sent.Where(f => f.Key.StartsWith("metadata[", StringComparison.Ordinal)).ToDictionary(f => f.Key["metadata[".Length..^1], f => f.Value);

    private Task<HttpResponseMessage> DeliverPaidAsync(string sessionId, Dictionary<string, string> sent, string? eventId = null) =>
        App.Client().SendAsync(WebhookPayloads.StripeRequest(
            WebhookPayloads.StripeSessionEvent("checkout.session.completed", sessionId, 2999, "usd", "paid", Metadata(sent), eventId)));

    private Task<CheckoutStatusResponse?> StatusAsync(string buyer, string sessionId) =>
        App.Client(buyer).GetFromJsonAsync<CheckoutStatusResponse>($"/api/stripe/checkout-session/{sessionId}");

    [Fact]
    public async Task CreateCheckoutSession_Gift_MarksTheSessionAndItsReturnUrl()
    {
        var (_, _, sent) = await GiftCheckoutAsync();

        Assert.Equal("true", sent["metadata[gift]"]);
        Assert.Equal($"{PublicBase}/?checkout=success&session_id={{CHECKOUT_SESSION_ID}}&gift_checkout=1", sent["success_url"]);
        Assert.Equal("Gift: Pro – 200 credits", sent["line_items[0][price_data][product_data][name]"]);
    }

    [Fact]
    public async Task CreateCheckoutSession_GiftOfTheFreePackage_422AndNothingClaimed()
    {
        var buyer = NewUser();

        var response = await App.Client(buyer).PostAsJsonAsync("/api/stripe/create-checkout-session", new { packageId = "starter", gift = true });

        Assert.Equal((422, "free_package_not_giftable"), ((int)response.StatusCode, (await ProblemAnswer.ReadAsync(response)).Code));
        Assert.Equal(("A free package cannot be bought as a gift.", "Package 'starter' is free: choose a paid package to give."),
            await ProblemAnswer.ReadTextsAsync(response));
        Assert.Equal(0, await App.BalanceAsync(buyer));
        Assert.Empty(App.Stripe.CreateRequests);
    }

    [Fact]
    public async Task CreateCheckoutSession_GiftNotABoolean_400MalformedBody()
    {
        var response = await App.Client(NewUser()).PostAsJsonAsync("/api/stripe/create-checkout-session", new { packageId = "pro", gift = "yes" });

        Assert.Equal((400, "malformed_body"), ((int)response.StatusCode, (await ProblemAnswer.ReadAsync(response)).Code));
    }

    [Fact]
    public async Task GiftPurchase_PaidThroughTheWebhook_APendingGiftTheBuyerCannotSpendAndAFriendRedeems()
    {
        var (buyer, sessionId, sent) = await GiftCheckoutAsync();
        (await DeliverPaidAsync(sessionId, sent)).EnsureSuccessStatusCode();

        var status = (await StatusAsync(buyer, sessionId))!;
        var code = (await (await App.Client(buyer).PostAsync($"/api/credits/gifts/{status.GiftId}/code", null)).Content.ReadFromJsonAsync<CreditGiftCodeResponse>())!;

        Assert.Equal(("completed", true, 200L), (status.Status, status.IsGift, code.Gift.Amount));
        Assert.Equal(0L, (await CreditsOfAsync(buyer)).Available);
        var friend = NewUser();
        Assert.Equal(HttpStatusCode.OK, (await RedeemAsync(friend, code.Code)).StatusCode);
        Assert.Equal(((0L, 0L), (200L, 200L)), (await CreditsOfAsync(buyer), await CreditsOfAsync(friend)));
    }

    [Fact]
    public async Task GiftPurchase_WebhookDeliveredTwiceAndTheSuccessPage_OneGift()
    {
        var (buyer, sessionId, sent) = await GiftCheckoutAsync();
        App.Stripe.MarkPaid(sessionId);

        (await DeliverPaidAsync(sessionId, sent, "evt_gift_once")).EnsureSuccessStatusCode();
        (await DeliverPaidAsync(sessionId, sent, "evt_gift_once")).EnsureSuccessStatusCode();
        (await DeliverPaidAsync(sessionId, sent)).EnsureSuccessStatusCode();
        await StatusAsync(buyer, sessionId);

        var gifts = (await App.Client(buyer).GetFromJsonAsync<CreditGiftsResponse>("/api/credits/gifts"))!;
        Assert.Equal(200L, Assert.Single(gifts.Sent).Amount);
        Assert.Equal((200L, 0L), await CreditsOfAsync(buyer));
    }

    [Fact]
    public async Task GiftPurchase_WebhookRacingTheSuccessPage_OneGift()
    {
        var (buyer, sessionId, sent) = await GiftCheckoutAsync();
        App.Stripe.MarkPaid(sessionId);
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var webhook = Task.Run(async () => { await start.Task; return (await DeliverPaidAsync(sessionId, sent)).StatusCode; });
        var page = Task.Run(async () => { await start.Task; return (await StatusAsync(buyer, sessionId))!.Status; });
        start.SetResult();
        await Task.WhenAll(webhook, page);

        var status = (await StatusAsync(buyer, sessionId))!;
        var gifts = (await App.Client(buyer).GetFromJsonAsync<CreditGiftsResponse>("/api/credits/gifts"))!;
        Assert.Equal(Assert.Single(gifts.Sent).Id, status.GiftId);
        Assert.Equal((200L, 0L), await CreditsOfAsync(buyer));
    }

    [Fact]
    public async Task CheckoutSession_GiftBoughtBeforeAHundredOtherGifts_StillNamesItsGift()
    {
        var (buyer, sessionId, sent) = await GiftCheckoutAsync();
        (await DeliverPaidAsync(sessionId, sent)).EnsureSuccessStatusCode();
        var bought = (await StatusAsync(buyer, sessionId))!.GiftId;
        await App.WithServiceAsync<CreditTransactionResult, ICreditService>(c => c.AddCreditsAsync(buyer, 100, CreditTransactionType.Bonus, "seed"));
        for (var i = 0; i < 100; i++)
        {
            Assert.True((await App.WithServiceAsync<CreditGiftResult, ICreditGiftService>(g => g.CreateGiftAsync(buyer, 1))).Success);
        }

        var status = (await StatusAsync(buyer, sessionId))!;

        Assert.NotNull(bought);
        Assert.Equal(bought, status.GiftId);
    }

    [Fact]
    public async Task CheckoutSession_GiftPurchaseNotYetPaid_NoGiftId()
    {
        var (buyer, sessionId, _) = await GiftCheckoutAsync();

        var status = (await StatusAsync(buyer, sessionId))!;

        Assert.Equal(("pending", true, (Guid?)null), (status.Status, status.IsGift, status.GiftId));
    }
}

public sealed class SqliteGiftCheckoutTests(SqliteCreditsDatabase database) : GiftCheckoutTests<SqliteCreditsDatabase>(database);

public sealed class PostgresGiftCheckoutTests(PostgresCreditsDatabase database) : GiftCheckoutTests<PostgresCreditsDatabase>(database);
