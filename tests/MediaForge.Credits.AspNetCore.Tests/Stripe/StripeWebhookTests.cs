using System.Net;
using System.Net.Http.Json;
using MediaForge.Credits.AspNetCore.Tests.Infrastructure;
using MediaForge.Credits.Entities;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace MediaForge.Credits.AspNetCore.Tests.Stripe;

public abstract class StripeWebhookTests<TDatabase>(TDatabase database) : StripeCheckoutAppTests<TDatabase>(database)
    where TDatabase : CreditsDatabase
{
    private Task<int> GrantRowsAsync(string user) =>
        App.DbAsync(db => db.Transactions.CountAsync(t => t.UserId == user && t.Type == CreditTransactionType.Purchase));

    [Fact]
    public async Task Webhook_CheckoutCompletedAndPaid_GrantsThePackCredits()
    {
        var (user, sessionId, metadata) = await CheckoutAsync();

        var response = await SendAsync(WebhookPayloads.StripeSessionEvent("checkout.session.completed", sessionId, 2999, "usd", "paid", metadata));

        Assert.Equal(new WebhookReceipt(true, false, "completed"), await response.Content.ReadFromJsonAsync<WebhookReceipt>());
        Assert.Equal(200, await App.BalanceAsync(user));
        var purchase = await App.DbAsync(db => db.Purchases.SingleAsync(p => p.ProviderSessionId == sessionId));
        Assert.Equal(PurchaseStatus.Completed, purchase.Status);
        var grant = await App.DbAsync(db => db.Transactions.SingleAsync(t => t.Id == purchase.TransactionId));
        Assert.Equal((200L, CreditTransactionType.Purchase, sessionId), (grant.Amount, grant.Type, grant.Reference));
    }

    [Fact]
    public async Task Webhook_SameEventTwentyTimesAtOnce_GrantsOnce()
    {
        var (user, sessionId, metadata) = await CheckoutAsync();
        var json = WebhookPayloads.StripeSessionEvent("checkout.session.completed", sessionId, 2999, "usd", "paid", metadata);

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => SendAsync(json))));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var receipts = await Task.WhenAll(responses.Select(r => r.Content.ReadFromJsonAsync<WebhookReceipt>()));
        Assert.Single(receipts, r => !r!.Duplicate);
        Assert.Equal(200, await App.BalanceAsync(user));
        Assert.Equal(1, await GrantRowsAsync(user));
    }

    [Fact]
    public async Task Webhook_CompletedAndAsyncSucceededAndSuccessPage_GrantOnce()
    {
        var (user, sessionId, metadata) = await CheckoutAsync();
        App.Stripe.MarkPaid(sessionId);

        await SendAsync(WebhookPayloads.StripeSessionEvent("checkout.session.completed", sessionId, 2999, "usd", "paid", metadata));
        await SendAsync(WebhookPayloads.StripeSessionEvent("checkout.session.async_payment_succeeded", sessionId, 2999, "usd", "paid", metadata));
        await App.Client(user).GetAsync($"/api/stripe/checkout-session/{sessionId}");

        Assert.Equal(200, await App.BalanceAsync(user));
        Assert.Equal(1, await GrantRowsAsync(user));
    }

    [Fact]
    public async Task Webhook_CompletedButUnpaid_GrantsNothingUntilAsyncPaymentSucceeds()
    {
        var (user, sessionId, metadata) = await CheckoutAsync();

        var unpaid = await SendAsync(WebhookPayloads.StripeSessionEvent("checkout.session.completed", sessionId, 2999, "usd", "unpaid", metadata));
        var balanceBefore = await App.BalanceAsync(user);
        await SendAsync(WebhookPayloads.StripeSessionEvent("checkout.session.async_payment_succeeded", sessionId, 2999, "usd", "paid", metadata));

        Assert.Equal("awaiting_payment", (await unpaid.Content.ReadFromJsonAsync<WebhookReceipt>())!.Outcome);
        Assert.Equal(0, balanceBefore);
        Assert.Equal(200, await App.BalanceAsync(user));
    }

    [Theory]
    [InlineData(100, "usd", "pro")]
    [InlineData(2999, "eur", "pro")]
    [InlineData(2999, "usd", "enterprise")]
    public async Task Webhook_AmountCurrencyOrPackageDiffer_GrantsNothing(long amount, string currency, string package)
    {
        var (user, sessionId, metadata) = await CheckoutAsync();
        metadata["package_id"] = package;

        var response = await SendAsync(WebhookPayloads.StripeSessionEvent("checkout.session.completed", sessionId, amount, currency, "paid", metadata));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("mismatch", (await response.Content.ReadFromJsonAsync<WebhookReceipt>())!.Outcome, StringComparison.Ordinal);
        Assert.Equal(0, await App.BalanceAsync(user));
        Assert.Equal(PurchaseStatus.Pending, await App.DbAsync(db => db.Purchases.Where(p => p.ProviderSessionId == sessionId).Select(p => p.Status).SingleAsync()));
    }

    public static TheoryData<string, Func<string, HttpRequestMessage>> BadDeliveries => new()
    {
        { "stale", json => WebhookPayloads.StripeRequest(json, signedAt: DateTimeOffset.UtcNow.AddMinutes(-10)) },
        { "from the future", json => WebhookPayloads.StripeRequest(json, signedAt: DateTimeOffset.UtcNow.AddMinutes(10)) },
        { "tampered", json => TamperedAfterSigning(json) },
        { "wrong secret", json => WebhookPayloads.StripeRequest(json, secret: "whsec_someone_elses_secret") },
        { "missing header", json => WebhookPayloads.StripeRequest(json, secret: null) },
        { "malformed JSON", _ => WebhookPayloads.StripeRequest("{\"id\": \"evt_1\", \"type\": ") },
    };

    private static HttpRequestMessage TamperedAfterSigning(string json)
    {
        var request = WebhookPayloads.StripeRequest(json);
        request.Content = new StringContent(json.Replace("2999", "1", StringComparison.Ordinal), System.Text.Encoding.UTF8, "application/json");
        return request;
    }

    [Theory]
    [MemberData(nameof(BadDeliveries))]
    public async Task Webhook_BadDelivery_Returns400AndChangesNothing(string _, Func<string, HttpRequestMessage> delivery)
    {
        var (user, sessionId, metadata) = await CheckoutAsync();
        var json = WebhookPayloads.StripeSessionEvent("checkout.session.completed", sessionId, 2999, "usd", "paid", metadata);

        var response = await App.Client().SendAsync(delivery(json));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(0, await App.BalanceAsync(user));
        Assert.Equal(0, await App.DbAsync(db => db.WebhookEvents.CountAsync(e => e.Type == "checkout.session.completed" && e.EventId.Contains(sessionId))));
        Assert.Equal(PurchaseStatus.Pending, await App.DbAsync(db => db.Purchases.Where(p => p.ProviderSessionId == sessionId).Select(p => p.Status).SingleAsync()));
    }

    [Fact]
    public async Task Webhook_EventFromAnOlderApiVersion_IsProcessed()
    {
        var (user, sessionId, metadata) = await CheckoutAsync();

        await SendAsync(WebhookPayloads.StripeSessionEvent("checkout.session.completed", sessionId, 2999, "usd", "paid", metadata, apiVersion: "2025-09-30.clover"));

        Assert.Equal(200, await App.BalanceAsync(user));
    }

    [Fact]
    public async Task Webhook_PaymentFailed_MarksThePurchaseFailed()
    {
        var (user, sessionId, metadata) = await CheckoutAsync();

        var response = await SendAsync(WebhookPayloads.StripePaymentFailed(metadata));

        Assert.Equal("failed", (await response.Content.ReadFromJsonAsync<WebhookReceipt>())!.Outcome);
        var purchase = await App.DbAsync(db => db.Purchases.SingleAsync(p => p.ProviderSessionId == sessionId));
        Assert.Equal(PurchaseStatus.Failed, purchase.Status);
        Assert.False(string.IsNullOrEmpty(purchase.FailureReason));
        Assert.Equal(0, await App.BalanceAsync(user));
    }

    [Fact]
    public async Task Webhook_PaymentFailedAfterCompletion_KeepsThePurchaseCompleted()
    {
        var (user, sessionId, metadata) = await CheckoutAsync();
        await SendAsync(WebhookPayloads.StripeSessionEvent("checkout.session.completed", sessionId, 2999, "usd", "paid", metadata));

        await SendAsync(WebhookPayloads.StripePaymentFailed(metadata));

        Assert.Equal(PurchaseStatus.Completed, await App.DbAsync(db => db.Purchases.Where(p => p.ProviderSessionId == sessionId).Select(p => p.Status).SingleAsync()));
        Assert.Equal(200, await App.BalanceAsync(user));
    }

    [Fact]
    public async Task Webhook_SessionExpired_MarksThePurchaseExpired()
    {
        var (_, sessionId, metadata) = await CheckoutAsync();

        await SendAsync(WebhookPayloads.StripeSessionEvent("checkout.session.expired", sessionId, 2999, "usd", "unpaid", metadata));

        Assert.Equal(PurchaseStatus.Expired, await App.DbAsync(db => db.Purchases.Where(p => p.ProviderSessionId == sessionId).Select(p => p.Status).SingleAsync()));
    }

    [Fact]
    public async Task Webhook_ChargeRefunded_RemovesThePurchasedCredits()
    {
        var (user, sessionId, metadata) = await CheckoutAsync();
        var payment = "pi_test_" + Guid.NewGuid().ToString("N");
        await SendAsync(WebhookPayloads.StripeSessionEvent("checkout.session.completed", sessionId, 2999, "usd", "paid", metadata, paymentIntentId: payment));

        var response = await SendAsync(WebhookPayloads.StripeChargeRefunded(payment, 2999, 2999));

        Assert.StartsWith("refunded: 200 removed", (await response.Content.ReadFromJsonAsync<WebhookReceipt>())!.Outcome, StringComparison.Ordinal);
        Assert.Equal(0, await App.BalanceAsync(user));
        Assert.Equal(PurchaseStatus.Refunded, await App.DbAsync(db => db.Purchases.Where(p => p.ProviderSessionId == sessionId).Select(p => p.Status).SingleAsync()));
    }

    [Fact]
    public async Task Webhook_DisputeCreatedThenWon_ClawsBackThenRestores()
    {
        var (user, sessionId, metadata) = await CheckoutAsync();
        var payment = "pi_test_" + Guid.NewGuid().ToString("N");
        await SendAsync(WebhookPayloads.StripeSessionEvent("checkout.session.completed", sessionId, 2999, "usd", "paid", metadata, paymentIntentId: payment));

        await SendAsync(WebhookPayloads.StripeDispute("charge.dispute.created", payment, "dp_test_1", 2999, "needs_response"));
        var duringDispute = await App.BalanceAsync(user);
        await SendAsync(WebhookPayloads.StripeDispute("charge.dispute.closed", payment, "dp_test_1", 2999, "won"));

        Assert.Equal(0, duringDispute);
        Assert.Equal(200, await App.BalanceAsync(user));
    }

    [Fact]
    public async Task Webhook_UnknownEventType_Returns200Ignored()
    {
        var response = await SendAsync(WebhookPayloads.StripeOtherEvent("customer.created"));

        Assert.Equal(new WebhookReceipt(true, false, "ignored"), await response.Content.ReadFromJsonAsync<WebhookReceipt>());
    }

    [Fact]
    public async Task Webhook_UnknownSession_GrantsNothing()
    {
        var response = await SendAsync(WebhookPayloads.StripeSessionEvent("checkout.session.completed", "cs_test_not_ours", 2999, "usd", "paid",
            new Dictionary<string, string> { ["user_id"] = "user_x", ["package_id"] = "pro" }));

        Assert.Equal("unknown_session", (await response.Content.ReadFromJsonAsync<WebhookReceipt>())!.Outcome);
        Assert.Equal(0, await App.BalanceAsync("user_x"));
    }

    [Fact]
    public async Task Webhook_BodyOverTheLimit_Returns413()
    {
        var json = "{\"padding\":\"" + new string('x', 300 * 1024) + "\"}";

        var response = await SendAsync(json);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }
}

public sealed class SqliteStripeWebhookTests(SqliteCreditsDatabase database) : StripeWebhookTests<SqliteCreditsDatabase>(database);

public sealed class PostgresStripeWebhookTests(PostgresCreditsDatabase database) : StripeWebhookTests<PostgresCreditsDatabase>(database);
