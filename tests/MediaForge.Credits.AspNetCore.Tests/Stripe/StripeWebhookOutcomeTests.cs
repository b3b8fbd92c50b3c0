using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using MediaForge.Credits.AspNetCore.Tests.Infrastructure;
using MediaForge.Credits.Entities;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace MediaForge.Credits.AspNetCore.Tests.Stripe;

/// <summary>The outcome each Stripe event answers and records, the refusals' codes, and what is counted.</summary>
public abstract class StripeWebhookOutcomeTests<TDatabase>(TDatabase database) : StripeCheckoutAppTests<TDatabase>(database)
    where TDatabase : CreditsDatabase
{
    private static async Task<string?> OutcomeOf(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<WebhookReceipt>())!.Outcome;

    private static async Task<(string? Code, string? Detail)> ProblemOf(HttpResponseMessage response)
    {
        var (_, code, detail) = await ProblemAnswer.ReadAsync(response);
        return (code, detail);
    }

    /// <summary>A completed purchase of the "pro" pack (200 credits for 2999 usd) paid by a known payment intent.</summary>
    private async Task<(string User, string SessionId, string Payment, Dictionary<string, string> Metadata)> PaidAsync()
    {
        var (user, sessionId, metadata) = await CheckoutAsync();
        var payment = "pi_test_" + Guid.NewGuid().ToString("N");
        await SendAsync(WebhookPayloads.StripeSessionEvent("checkout.session.completed", sessionId, 2999, "usd", "paid", metadata, paymentIntentId: payment));
        return (user, sessionId, payment, metadata);
    }

    private Task<CreditPurchase> PurchaseAsync(string sessionId) => App.DbAsync(db => db.Purchases.SingleAsync(p => p.ProviderSessionId == sessionId));


    private static string Edited(string json, Action<JsonObject> change)
    {
        var root = JsonNode.Parse(json)!.AsObject();
        change(root);
        return root.ToJsonString();
    }

    [Fact]
    public async Task Webhook_MissingSignatureHeader_SaysTheHeaderIsMissing()
    {
        var response = await SendAsync(WebhookPayloads.StripeOtherEvent("customer.created"), secret: null);

        Assert.Equal(("invalid_signature", "The Stripe-Signature header is missing."), await ProblemOf(response));
    }

    [Fact]
    public async Task Webhook_SignedMalformedJson_IsRefusedAsMalformedPayload()
    {
        var response = await SendAsync("{\"id\": \"evt_1\", \"type\": ");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var (title, detail) = await ProblemAnswer.ReadTextsAsync(response);
        Assert.Equal(("malformed_payload", "The webhook body is not a Stripe event."), ((await ProblemOf(response)).Code, title));
        Assert.StartsWith("malformed JSON: ", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Webhook_SignedEventOfTheWrongShape_IsRefusedAsMalformedEventWithItsReason()
    {
        var json = WebhookPayloads.StripeChargeRefunded("pi_test_" + Guid.NewGuid().ToString("N"), 2999, -1);

        var response = await SendAsync(json);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(("malformed_event", "The charge has a negative amount."), await ProblemOf(response));
        Assert.Equal("The Stripe event cannot be applied.", (await ProblemAnswer.ReadTextsAsync(response)).Title);
        var eventId = JsonNode.Parse(json)!["id"]!.GetValue<string>();
        Assert.False(await App.DbAsync(db => db.WebhookEvents.AnyAsync(e => e.EventId == eventId)));
    }

    [Fact]
    public async Task Webhook_SameEventTwice_AnswersTheSecondAsADuplicateWithoutOutcome()
    {
        var json = WebhookPayloads.StripeOtherEvent("customer.created");
        await SendAsync(json);

        var second = await SendAsync(json);

        Assert.Equal(new WebhookReceipt(true, true, null), await second.Content.ReadFromJsonAsync<WebhookReceipt>());
    }

    [Fact]
    public async Task Webhook_RecordsEachEventsProviderAndOutcomeOnItsOwnRow()
    {
        var other = WebhookPayloads.StripeOtherEvent("customer.created");
        var otherOutcome = await OutcomeOf(await SendAsync(other));
        var (_, sessionId, metadata) = await CheckoutAsync();
        var completed = WebhookPayloads.StripeSessionEvent("checkout.session.completed", sessionId, 2999, "usd", "paid", metadata,
            paymentIntentId: "pi_test_" + Guid.NewGuid().ToString("N"));
        Assert.Equal("completed", await OutcomeOf(await SendAsync(completed)));

        var (otherId, completedId) = (IdOf(other), IdOf(completed));
        var rows = await App.DbAsync(db => db.WebhookEvents.AsNoTracking().Where(e => e.EventId == otherId || e.EventId == completedId)
            .ToDictionaryAsync(e => e.EventId, e => (e.Provider, e.Outcome)));
        Assert.Equal(("stripe", otherOutcome), rows[otherId]);
        Assert.Equal(("stripe", "completed"), rows[completedId]);
    }

    private static string IdOf(string json) => JsonNode.Parse(json)!["id"]!.GetValue<string>();

    [Fact]
    public async Task Webhook_AsyncSucceededAfterCompleted_AnswersAlreadyCompleted()
    {
        var (_, sessionId, _, metadata) = await PaidAsync();

        var response = await SendAsync(WebhookPayloads.StripeSessionEvent("checkout.session.async_payment_succeeded", sessionId, 2999, "usd", "paid", metadata));

        Assert.Equal("already_completed", await OutcomeOf(response));
    }

    [Fact]
    public async Task Webhook_AmountDiffers_AnswersTheMismatchWithItsDetail()
    {
        var (_, sessionId, metadata) = await CheckoutAsync();

        var response = await SendAsync(WebhookPayloads.StripeSessionEvent("checkout.session.completed", sessionId, 100, "usd", "paid", metadata));

        Assert.Matches("^mismatch: .+", await OutcomeOf(response));
    }

    [Fact]
    public async Task Webhook_PaymentFailed_KeepsStripesReasonAndPayment()
    {
        var (_, sessionId, metadata) = await CheckoutAsync();

        await SendAsync(WebhookPayloads.StripePaymentFailed(metadata));

        var purchase = await PurchaseAsync(sessionId);
        Assert.Equal(("Your card was declined.", "pi_3QfY0zLkdIwHu7ix0ZyXwVuT"), (purchase.FailureReason, purchase.ProviderPaymentId));
    }

    [Fact]
    public async Task Webhook_PaymentFailedWithoutAnError_RecordsTheGenericReason()
    {
        var (_, sessionId, metadata) = await CheckoutAsync();

        await SendAsync(Edited(WebhookPayloads.StripePaymentFailed(metadata), r => r["data"]!["object"]!.AsObject().Remove("last_payment_error")));

        Assert.Equal("The payment failed.", (await PurchaseAsync(sessionId)).FailureReason);
    }

    [Fact]
    public async Task Webhook_PaymentFailedAfterCompletion_AnswersNoPendingPurchase()
    {
        var (_, _, _, metadata) = await PaidAsync();

        Assert.Equal("no_pending_purchase", await OutcomeOf(await SendAsync(WebhookPayloads.StripePaymentFailed(metadata))));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("not-a-guid")]
    public async Task Webhook_PaymentFailedWithoutOurPurchaseId_IsIgnored(string? purchaseId)
    {
        var metadata = new Dictionary<string, string> { ["user_id"] = NewUser() };
        if (purchaseId is not null)
        {
            metadata["purchase_id"] = purchaseId;
        }

        Assert.Equal("ignored_no_purchase", await OutcomeOf(await SendAsync(WebhookPayloads.StripePaymentFailed(metadata))));
    }

    [Fact]
    public async Task Webhook_AsyncPaymentFailed_MarksThePurchaseFailedWithItsReason()
    {
        var (user, sessionId, metadata) = await CheckoutAsync();

        var response = await SendAsync(WebhookPayloads.StripeSessionEvent("checkout.session.async_payment_failed", sessionId, 2999, "usd", "unpaid", metadata));

        Assert.Equal("failed", await OutcomeOf(response));
        var purchase = await PurchaseAsync(sessionId);
        Assert.Equal((PurchaseStatus.Failed, "The asynchronous payment failed."), (purchase.Status, purchase.FailureReason));
        Assert.Equal(0, await App.BalanceAsync(user));
    }

    [Fact]
    public async Task Webhook_SessionExpired_AnswersExpiredThenNoPendingPurchase()
    {
        var (_, sessionId, metadata) = await CheckoutAsync();

        var first = await SendAsync(WebhookPayloads.StripeSessionEvent("checkout.session.expired", sessionId, 2999, "usd", "unpaid", metadata));
        var second = await SendAsync(WebhookPayloads.StripeSessionEvent("checkout.session.expired", sessionId, 2999, "usd", "unpaid", metadata));

        Assert.Equal(("expired", "no_pending_purchase"), (await OutcomeOf(first), await OutcomeOf(second)));
    }

    [Fact]
    public async Task Webhook_ChargeRefunded_AnswersWhatWasRemovedAndAlreadySpent()
    {
        var (_, _, payment, _) = await PaidAsync();

        Assert.Equal("refunded: 200 removed, 0 already spent", await OutcomeOf(await SendAsync(WebhookPayloads.StripeChargeRefunded(payment, 2999, 2999))));
    }

    [Fact]
    public async Task Webhook_ChargeRefundedWithoutPayment_IsIgnored()
    {
        var json = Edited(WebhookPayloads.StripeChargeRefunded("pi_x", 2999, 2999), r => r["data"]!["object"]!["payment_intent"] = null);

        Assert.Equal("ignored_no_payment", await OutcomeOf(await SendAsync(json)));
    }

    [Fact]
    public async Task Webhook_ChargeRefundedForAnUnknownPayment_AnswersUnknownPayment()
    {
        var json = WebhookPayloads.StripeChargeRefunded("pi_test_" + Guid.NewGuid().ToString("N"), 2999, 2999);

        Assert.Equal("unknown_payment", await OutcomeOf(await SendAsync(json)));
    }

    [Theory]
    [InlineData("needs_response", "dispute open: 200 removed, 0 restored", 0)]
    [InlineData("lost", "dispute lost: 200 removed, 0 restored", 0)]
    [InlineData("won", "dispute won: 0 removed, 0 restored", 200)]
    [InlineData("warning_closed", "dispute won: 0 removed, 0 restored", 200)]
    public async Task Webhook_DisputeOfAFreshPayment_AnswersItsStateAndLeavesTheBalance(string status, string outcome, long balance)
    {
        var (user, _, payment, _) = await PaidAsync();

        var response = await SendAsync(WebhookPayloads.StripeDispute("charge.dispute.created", payment, "dp_" + Guid.NewGuid().ToString("N"), 2999, status));

        Assert.Equal((outcome, balance), (await OutcomeOf(response), await App.BalanceAsync(user)));
    }

    [Fact]
    public async Task Webhook_DisputeWonAfterItOpened_AnswersWhatWasRestored()
    {
        var (_, _, payment, _) = await PaidAsync();
        await SendAsync(WebhookPayloads.StripeDispute("charge.dispute.created", payment, "dp_test_won", 2999, "needs_response"));

        var response = await SendAsync(WebhookPayloads.StripeDispute("charge.dispute.closed", payment, "dp_test_won", 2999, "won"));

        Assert.Equal("dispute won: 0 removed, 200 restored", await OutcomeOf(response));
    }

    [Fact]
    public async Task Webhook_DisputeUpdatedToLost_KeepsTheCreditsRemoved()
    {
        var (user, _, payment, _) = await PaidAsync();
        await SendAsync(WebhookPayloads.StripeDispute("charge.dispute.created", payment, "dp_test_lost", 2999, "needs_response"));

        await SendAsync(WebhookPayloads.StripeDispute("charge.dispute.updated", payment, "dp_test_lost", 2999, "lost"));

        Assert.Equal((0L, PaymentDisputeState.Lost), (await App.BalanceAsync(user),
            (await App.DbAsync(db => db.Purchases.SingleAsync(p => p.ProviderPaymentId == payment))).DisputeState!.Value));
    }

    [Fact]
    public async Task Webhook_DisputeWithoutPayment_IsIgnored()
    {
        var json = Edited(WebhookPayloads.StripeDispute("charge.dispute.created", "pi_x", "dp_x", 2999, "needs_response"), r => r["data"]!["object"]!["payment_intent"] = null);

        Assert.Equal("ignored_no_payment", await OutcomeOf(await SendAsync(json)));
    }

    [Fact]
    public async Task Webhook_DisputeOfAnUnknownPayment_AnswersUnknownPayment()
    {
        var json = WebhookPayloads.StripeDispute("charge.dispute.created", "pi_test_" + Guid.NewGuid().ToString("N"), "dp_x", 2999, "needs_response");

        Assert.Equal("unknown_payment", await OutcomeOf(await SendAsync(json)));
    }
}

public sealed class SqliteStripeWebhookOutcomeTests(SqliteCreditsDatabase database) : StripeWebhookOutcomeTests<SqliteCreditsDatabase>(database);

public sealed class PostgresStripeWebhookOutcomeTests(PostgresCreditsDatabase database) : StripeWebhookOutcomeTests<PostgresCreditsDatabase>(database);
