using System.Net;
using System.Net.Http.Json;
using MediaForge.Credits.AspNetCore.Tests.Infrastructure;
using MediaForge.Credits.Entities;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace MediaForge.Credits.AspNetCore.Tests.Stripe;

/// <summary>Starting Stripe Checkout and reading it back from the success page: bounds, lookups, what Stripe is sent and asked.</summary>
public abstract class StripeCheckoutTests<TDatabase>(TDatabase database) : StripeCheckoutAppTests<TDatabase>(database)
    where TDatabase : CreditsDatabase
{
    private Task<HttpResponseMessage> CreateAsync(string user, string? packageId) =>
        App.Client(user).PostAsJsonAsync("/api/stripe/create-checkout-session", new { packageId });

    [Theory]
    [InlineData(null)]
    [InlineData("   ")]
    public async Task CreateCheckoutSession_NoPackageId_Returns400PackageRequired(string? packageId)
    {
        var response = await CreateAsync(NewUser(), packageId);

        Assert.Equal((400, "package_required", null), await ProblemAnswer.ReadAsync(response));
        Assert.Equal("A packageId is required.", (await ProblemAnswer.ReadTextsAsync(response)).Title);
    }

    [Fact]
    public async Task CreateCheckoutSession_PackageIdOf65Characters_Returns400()
    {
        var response = await CreateAsync(NewUser(), new string('p', 65));

        Assert.Equal((400, "invalid_package_id", "Package ids have at most 64 characters."), await ProblemAnswer.ReadAsync(response));
        Assert.Equal("The packageId is too long.", (await ProblemAnswer.ReadTextsAsync(response)).Title);
    }

    [Fact]
    public async Task CreateCheckoutSession_PackageIdOf64Characters_IsLookedUp()
    {
        var id = new string('p', 64);

        var response = await CreateAsync(NewUser(), id);

        Assert.Equal((404, "unknown_package", $"No active package '{id}'."), await ProblemAnswer.ReadAsync(response));
        Assert.Equal("No such package.", (await ProblemAnswer.ReadTextsAsync(response)).Title);
    }

    [Fact]
    public async Task CreateCheckoutSession_PackageIdInAnotherCaseWithSpaces_BuysThatPackage()
    {
        var body = await (await CreateAsync(NewUser(), " PRO ")).Content.ReadFromJsonAsync<CheckoutSessionResponse>();

        Assert.Equal((false, 200L), (body!.Claimed, body.Credits));
        Assert.Equal("pro", App.Stripe.CreateRequests.Single()["metadata[package_id]"]);
    }

    [Fact]
    public async Task CreateCheckoutSession_Pro_AnswersTheSessionAndItsCredits()
    {
        var body = await (await CreateAsync(NewUser(), "pro")).Content.ReadFromJsonAsync<CheckoutSessionResponse>();

        var session = Assert.Single(App.Stripe.Sessions);
        Assert.Equal(new CheckoutSessionResponse(session.Key, $"https://checkout.stripe.com/c/pay/{session.Key}", false, 200, null), body);
    }

    [Fact]
    public async Task CreateCheckoutSession_Pro_NamesTheLineItemAfterThePackage()
    {
        await CreateAsync(NewUser(), "pro");

        var sent = App.Stripe.CreateRequests.Single();
        Assert.Equal(("Pro – 200 credits", "200 credits for regular creators"),
            (sent["line_items[0][price_data][product_data][name]"], sent["line_items[0][price_data][product_data][description]"]));
    }

    [Fact]
    public async Task CreateCheckoutSession_Pro_SendsStripeAnIdempotencyKeyPerPurchase()
    {
        var user = NewUser();
        var sessionId = await App.StartCheckoutAsync(user);

        var purchase = await App.DbAsync(db => db.Purchases.SingleAsync(p => p.ProviderSessionId == sessionId));
        Assert.Equal("mediaforge-checkout-" + purchase.Id, App.Stripe.IdempotencyKeys.Single());
    }

    [Fact]
    public async Task CreateCheckoutSession_Starter_ClaimsItWithoutStripeAndAnswersClaimedWithTheBalance()
    {
        var body = await (await CreateAsync(NewUser(), "starter")).Content.ReadFromJsonAsync<CheckoutSessionResponse>();

        Assert.Equal(new CheckoutSessionResponse(null, null, true, 50, 50), body);
        Assert.Empty(App.Stripe.CreateRequests);
    }

    [Fact]
    public async Task CreateCheckoutSession_Pro_IsAPaymentWhosePaymentIntentCarriesThePurchasesMetadata()
    {
        await CreateAsync(NewUser(), "pro");

        var sent = App.Stripe.CreateRequests.Single();
        Assert.Equal(("payment", sent["metadata[purchase_id]"], sent["metadata[user_id]"]),
            (sent["mode"], sent["payment_intent_data[metadata][purchase_id]"], sent["payment_intent_data[metadata][user_id]"]));
    }

    [Fact]
    public async Task CreateCheckoutSession_StarterTwice_SaysItIsOncePerUser()
    {
        var user = NewUser();
        await CreateAsync(user, "starter");

        var response = await CreateAsync(user, "starter");

        Assert.Equal((409, "already_claimed", "Package 'starter' can be claimed once per user."), await ProblemAnswer.ReadAsync(response));
        Assert.Equal("This free package was already claimed.", (await ProblemAnswer.ReadTextsAsync(response)).Title);
    }

    [Fact]
    public async Task CreateCheckoutSession_StripeFails_KeepsStripesMessageOnTheFailedPurchase()
    {
        var user = NewUser();
        App.Stripe.FailWithStatus = 500;

        var response = await CreateAsync(user, "pro");

        Assert.Equal((502, "payment_provider_error", "Stripe is down"), await ProblemAnswer.ReadAsync(response));
        Assert.Equal("Stripe could not start the checkout.", (await ProblemAnswer.ReadTextsAsync(response)).Title);
        Assert.Equal("Checkout session could not be created: Stripe is down",
            await App.DbAsync(db => db.Purchases.Where(p => p.UserId == user).Select(p => p.FailureReason).SingleAsync()));
    }

    [Fact]
    public async Task CheckoutSession_IdOf256Characters_Returns400()
    {
        var response = await App.Client(NewUser()).GetAsync("/api/stripe/checkout-session/" + new string('c', 256));

        Assert.Equal((400, "invalid_session_id", "Checkout session ids have at most 255 characters."), await ProblemAnswer.ReadAsync(response));
        Assert.Equal("The checkout session id is too long.", (await ProblemAnswer.ReadTextsAsync(response)).Title);
    }

    [Fact]
    public async Task CheckoutSession_UnknownIdOf255Characters_Returns404()
    {
        var response = await App.Client(NewUser()).GetAsync("/api/stripe/checkout-session/" + new string('c', 255));

        Assert.Equal((404, "unknown_checkout_session", null), await ProblemAnswer.ReadAsync(response));
        Assert.Equal("No such checkout session for this user.", (await ProblemAnswer.ReadTextsAsync(response)).Title);
    }

    [Fact]
    public async Task CheckoutSession_CompletedByTheWebhook_AnswersWithoutAskingStripe()
    {
        var (user, sessionId, metadata) = await CheckoutAsync();
        await SendAsync(WebhookPayloads.StripeSessionEvent("checkout.session.completed", sessionId, 2999, "usd", "paid", metadata));
        App.Stripe.FailWithStatus = 500;

        var status = await App.Client(user).GetFromJsonAsync<CheckoutStatusResponse>($"/api/stripe/checkout-session/{sessionId}");

        Assert.Equal(new CheckoutStatusResponse(sessionId, "pro", 200, "completed", null, 200), status);
    }

    [Fact]
    public async Task CheckoutSession_PaidSessionNamingAnotherPackage_CompletesNothing()
    {
        var user = NewUser();
        var sessionId = await App.StartCheckoutAsync(user);
        App.Stripe.MarkPaid(sessionId);
        ((Dictionary<string, string>)App.Stripe.Sessions[sessionId]["metadata"]!)["package_id"] = "enterprise";

        var status = (await App.Client(user).GetFromJsonAsync<CheckoutStatusResponse>($"/api/stripe/checkout-session/{sessionId}"))!;

        Assert.Equal(("pending", "paid", 0L), (status.Status, status.PaymentStatus, status.Balance));
    }

    [Fact]
    public async Task CheckoutSession_StripeFails_Returns502AndGrantsNothing()
    {
        var user = NewUser();
        var sessionId = await App.StartCheckoutAsync(user);
        App.Stripe.MarkPaid(sessionId);
        App.Stripe.FailWithStatus = 500;

        var response = await App.Client(user).GetAsync($"/api/stripe/checkout-session/{sessionId}");

        Assert.Equal((502, "payment_provider_error", "Stripe is down"), await ProblemAnswer.ReadAsync(response));
        Assert.Equal("Stripe could not be asked about the checkout.", (await ProblemAnswer.ReadTextsAsync(response)).Title);
        Assert.Equal(0, await App.BalanceAsync(user));
    }
}

public sealed class SqliteStripeCheckoutTests(SqliteCreditsDatabase database) : StripeCheckoutTests<SqliteCreditsDatabase>(database);

public sealed class PostgresStripeCheckoutTests(PostgresCreditsDatabase database) : StripeCheckoutTests<PostgresCreditsDatabase>(database);
