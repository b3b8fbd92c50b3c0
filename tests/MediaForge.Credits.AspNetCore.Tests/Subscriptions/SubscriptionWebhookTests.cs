using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using MediaForge.Credits.AspNetCore.Tests.Infrastructure;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace MediaForge.Credits.AspNetCore.Tests.Subscriptions;

/// <summary>Stripe's subscription events, signed and delivered to the webhook: each period's allowance once, state by event order.</summary>
public abstract class SubscriptionWebhookTests<TDatabase>(TDatabase database) : SubscriptionAppTests<TDatabase>(database)
    where TDatabase : CreditsDatabase
{
    [Fact]
    public async Task InvoicePaid_FirstPeriod_GrantsThePlansAllowanceExpiringAfterThePeriodAndGrace()
    {
        var (user, sub) = (NewUser(), NewSubscription());

        var receipt = await ReceiptAsync(Paid(sub, user, Basic, P1Start, P1End, "subscription_create"));

        Assert.Equal("granted: 100", receipt.Outcome);
        Assert.Equal(100, await App.BalanceAsync(user));
        var lot = await App.DbAsync(db => db.Grants.SingleAsync(g => g.UserId == user));
        Assert.Equal((100L, P1End.UtcDateTime.AddDays(3)), (lot.Remaining, lot.ExpiresAt));
        Assert.Equal(CreditSubscriptionStatus.Active, await StatusAsync(sub));
    }

    [Fact]
    public async Task InvoicePaid_SubscriptionIdOfTheLongestAllowedLength_GrantsAndRollsOverWithinTheKeyLength()
    {
        var user = NewUser();
        var sub = "sub_" + new string('x', 255 - 4 - 32) + Guid.NewGuid().ToString("N"); // the longest id a Stripe event may carry

        Assert.Equal("granted: 100", (await ReceiptAsync(Paid(sub, user, Basic, P1Start, P1End, "subscription_create"))).Outcome);
        Assert.Equal("granted: 100", (await ReceiptAsync(Paid(sub, user, Basic, P1End, P2End))).Outcome);

        Assert.Equal(150, await App.BalanceAsync(user)); // 100 unused, 50 carried
        Assert.All(await App.DbAsync(db => db.Transactions.Where(t => t.UserId == user).Select(t => t.IdempotencyKey!).ToListAsync()),
            key => Assert.InRange(key.Length, 1, CreditLimits.MaxIdempotencyKeyLength));
    }

    [Fact]
    public async Task InvoicePaid_OlderApiShape_GrantsTheSameAllowance()
    {
        var (user, sub) = (NewUser(), NewSubscription());

        await ReceiptAsync(Paid(sub, user, Basic, P1Start, P1End, olderShape: true));
        await ReceiptAsync(Updated(sub, user, Basic, olderShape: true));

        Assert.Equal(100, await App.BalanceAsync(user));
        Assert.Equal(Unix(P1End), Assert.Single((await GrantedPerPeriodAsync(user, sub)).Keys));
    }

    [Fact]
    public async Task InvoicePaid_SameEventTwentyTimesAtOnce_GrantsOnce()
    {
        var (user, sub) = (NewUser(), NewSubscription());
        var json = Paid(sub, user, Basic, P1Start, P1End);

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => SendAsync(json))));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(100, await App.BalanceAsync(user));
        Assert.Single(await AllowanceRowsAsync(user));
    }

    [Fact]
    public async Task InvoicePaidAndUpgrade_TwentyDistinctDeliveriesRacing_GrantThePeriodOnceAtThePremiumAllowance()
    {
        var (user, sub) = (NewUser(), NewSubscription());
        var events = Enumerable.Range(0, 20).Select(i => i % 2 == 0 ? Paid(sub, user, Basic, P1Start, P1End) : Updated(sub, user, Premium)).ToList();

        var responses = await Task.WhenAll(events.Select(json => Task.Run(() => SendAsync(json))));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(new Dictionary<long, long> { [Unix(P1End)] = 300 }, await GrantedPerPeriodAsync(user, sub));
        Assert.Equal((300L, 300L), await LedgerAsync(App, user));
    }

    [Fact]
    public async Task InvoicePaid_RenewalBeforeTheSubscriptionsCreatedEvent_GrantsOnceToTheUserOfTheMetadata()
    {
        var (user, sub) = (NewUser(), NewSubscription());
        var created = Updated(sub, user, Basic, type: "customer.subscription.created", start: P1End, end: P2End);

        await ReceiptAsync(Paid(sub, user, Basic, P1End, P2End));
        await ReceiptAsync(created);

        Assert.Equal(100, await App.BalanceAsync(user));
        Assert.Equal(user, await App.DbAsync(db => db.Set<Entities.CreditSubscriptionRow>().Where(s => s.Id == sub).Select(s => s.UserId).SingleAsync()));
        Assert.Single(await AllowanceRowsAsync(user));
    }

    [Fact]
    public async Task InvoicePaid_UnknownSubscriptionWithoutUser_IsRefusedUnrecordedThenGrantedOnItsRetry()
    {
        var (user, sub) = (NewUser(), NewSubscription());
        var invoice = Paid(sub, null, Basic, P1Start, P1End);

        var first = await SendAsync(invoice);
        await ReceiptAsync(Updated(sub, user, Basic, type: "customer.subscription.created"));
        var retry = await ReceiptAsync(invoice);

        Assert.Equal(HttpStatusCode.Conflict, first.StatusCode);
        Assert.Equal((false, "granted: 100"), (retry.Duplicate, retry.Outcome));
        Assert.Equal(100, await App.BalanceAsync(user));
    }

    [Fact]
    public async Task InvoicePaid_UnknownSubscriptionWithoutUser_AnswersUserUnknownAndCountsTheRejection()
    {
        using var rejected = App.Collect("mediaforge.credits.webhooks.rejected");

        var response = await SendAsync(Paid(NewSubscription(), null, Basic, P1Start, P1End));

        Assert.Equal(("subscription_user_unknown", "The subscription's user is not known yet."),
            ((await ProblemAnswer.ReadAsync(response)).Code, (await ProblemAnswer.ReadTextsAsync(response)).Title));
        Assert.True(Assert.Single(rejected.GetMeasurementSnapshot()).MatchesTags(
            new KeyValuePair<string, object?>("credits.provider", "stripe"), new KeyValuePair<string, object?>("credits.reason", "subscription_user_unknown")));
    }

    [Fact]
    public async Task Upgrade_MidPeriod_GrantsTheDifferenceAtOnceAndNeverAgain()
    {
        var (user, sub) = (NewUser(), NewSubscription());
        await ReceiptAsync(Paid(sub, user, Basic, P1Start, P1End, "subscription_create"));
        var upgrade = Updated(sub, user, Premium);

        var receipt = await ReceiptAsync(upgrade);
        await ReceiptAsync(upgrade);
        await ReceiptAsync(Paid(sub, user, Premium, P1Start.AddDays(5), P1End, "subscription_update", amount: 2000));
        await ReceiptAsync(Updated(sub, user, Premium));

        Assert.Equal("active, granted: 200", receipt.Outcome);
        Assert.Equal([100L, 200L], (await AllowanceRowsAsync(user)).Select(r => r.Amount));
        Assert.Equal(300, await App.BalanceAsync(user));
    }

    [Fact]
    public async Task Downgrade_MidPeriod_KeepsThisPeriodAndGrantsTheSmallerPlanAtRenewal()
    {
        var (user, sub) = (NewUser(), NewSubscription());
        await ReceiptAsync(Paid(sub, user, Premium, P1Start, P1End, "subscription_create"));

        await ReceiptAsync(Updated(sub, user, Basic));
        var afterDowngrade = await App.BalanceAsync(user);
        await ReceiptAsync(Paid(sub, user, Basic, P1End, P2End));

        Assert.Equal(300, afterDowngrade);
        Assert.Equal(new Dictionary<long, long> { [Unix(P1End)] = 300, [Unix(P2End)] = 100 }, await GrantedPerPeriodAsync(user, sub));
        Assert.Equal(100 + 50, await App.BalanceAsync(user)); // the new allowance and the capped rollover of 300 unused
    }

    [Fact]
    public async Task Upgrade_AtRenewalPolicy_GrantsNothingNowAndThePremiumAllowanceAtRenewal()
    {
        await using var app = await StartAsync(o => o.Subscriptions.UpgradePolicy = CreditPlanUpgradePolicy.AtRenewal);
        var (user, sub) = (NewUser(), NewSubscription());
        await ReceiptAsync(Paid(sub, user, Basic, P1Start, P1End, "subscription_create"), app);

        await ReceiptAsync(Updated(sub, user, Premium), app);
        var proration = await ReceiptAsync(Paid(sub, user, Premium, P1Start.AddDays(5), P1End, "subscription_update", amount: 2000), app);
        var afterUpgrade = await app.BalanceAsync(user);
        await ReceiptAsync(Paid(sub, user, Premium, P1End, P2End), app);

        Assert.Equal((100L, "plan_change_applies_at_renewal"), (afterUpgrade, proration.Outcome));
        Assert.Equal(new Dictionary<long, long> { [Unix(P1End)] = 100, [Unix(P2End)] = 300 }, await GrantedPerPeriodAsync(user, sub, app));
    }

    [Fact]
    public async Task Trial_ZeroAmountFirstInvoice_GrantsTheTrialAllowance()
    {
        var (user, sub) = (NewUser(), NewSubscription());

        await ReceiptAsync(Paid(sub, user, Basic, P1Start, P1End, "subscription_create", amount: 0));

        Assert.Equal(20, await App.BalanceAsync(user));
    }

    [Fact]
    public async Task Deleted_StopsLaterPeriodsAndKeepsWhatWasGranted()
    {
        var (user, sub) = (NewUser(), NewSubscription());
        await ReceiptAsync(Paid(sub, user, Basic, P1Start, P1End, "subscription_create"));

        await ReceiptAsync(Updated(sub, user, Basic, "canceled", type: "customer.subscription.deleted", endedAt: P1End));
        var renewal = await ReceiptAsync(Paid(sub, user, Basic, P1End, P2End));
        await ReceiptAsync(Updated(sub, user, Premium));

        Assert.Equal("nothing_owed", renewal.Outcome);
        Assert.Equal(100, await App.BalanceAsync(user));
        Assert.Equal(CreditSubscriptionStatus.Canceled, await StatusAsync(sub));
    }

    [Fact]
    public async Task PaymentFailed_GrantsNothingAndMarksPastDueUntilAnInvoiceIsPaid()
    {
        var (user, sub) = (NewUser(), NewSubscription());
        await ReceiptAsync(Paid(sub, user, Basic, P1Start, P1End, "subscription_create"));

        var failed = await ReceiptAsync(SubscriptionPayloads.Invoice(sub, user, Basic, P1End, P2End, Next(), type: "invoice.payment_failed"));
        var pastDue = await StatusAsync(sub);
        var balance = await App.BalanceAsync(user);
        await ReceiptAsync(Paid(sub, user, Basic, P1End, P2End));

        Assert.Equal(("past_due", CreditSubscriptionStatus.PastDue, 100L), (failed.Outcome, pastDue, balance));
        Assert.Equal(CreditSubscriptionStatus.Active, await StatusAsync(sub));
    }

    [Fact]
    public async Task PaymentFailed_OlderThanThePaymentApplied_ChangesNothing()
    {
        var (user, sub) = (NewUser(), NewSubscription());
        var failed = SubscriptionPayloads.Invoice(sub, user, Basic, P1Start, P1End, Next(), type: "invoice.payment_failed");
        await ReceiptAsync(Paid(sub, user, Basic, P1Start, P1End, "subscription_create"));

        var receipt = await ReceiptAsync(failed);

        Assert.Equal(("stale", CreditSubscriptionStatus.Active), (receipt.Outcome, await StatusAsync(sub)));
    }

    [Fact]
    public async Task Balance_Subscribed_ShowsThePlanThePeriodEndAndTheAllowanceLeft()
    {
        var (user, sub) = (NewUser(), NewSubscription());
        await ReceiptAsync(Paid(sub, user, Basic, P1Start, P1End, "subscription_create"));
        await ReceiptAsync(Updated(sub, user, Basic));
        await App.WithServiceAsync<CreditDeductionResult, ICreditService>(c => c.DeductCreditsAsync(user, "video-generation", "hailuo"));

        var balance = await App.Client(user).GetFromJsonAsync<CreditBalanceResponse>("/api/credits/balance");

        Assert.Equal(new CreditSubscriptionSummary("basic", "Basic", CreditSubscriptionStatus.Active, P1End, 100, 92), balance!.Subscription);
    }

    [Fact]
    public async Task InvoicePaid_PeriodNotAUnixTime_IsRefusedWith400AndChangesNothing()
    {
        var (user, sub) = (NewUser(), NewSubscription());
        var json = Paid(sub, user, Basic, P1Start, P1End).Replace($"\"start\":{Unix(P1Start)}", "\"start\":\"yesterday\"", StringComparison.Ordinal);

        var response = await SendAsync(json);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(0, await App.BalanceAsync(user));
        Assert.Equal(0, await App.DbAsync(db => db.Set<Entities.CreditSubscriptionRow>().CountAsync(s => s.Id == sub)));
    }

    [Theory]
    [InlineData("invoice.paid")]
    [InlineData("invoice.payment_failed")]
    public async Task Invoice_OfAOneOffPaymentWithoutSubscription_IsIgnoredAsNotASubscriptionInvoice(string type)
    {
        var user = NewUser();
        var json = JsonNode.Parse(SubscriptionPayloads.Invoice(NewSubscription(), user, Basic, P1Start, P1End, Next(), type: type))!;
        json["data"]!["object"]!["parent"] = null; // a one-off invoice has no subscription_details

        var receipt = await ReceiptAsync(json.ToJsonString());

        Assert.Equal("ignored_not_subscription", receipt.Outcome);
        Assert.Equal(0, await App.BalanceAsync(user));
    }

}

public sealed class SqliteSubscriptionWebhookTests(SqliteCreditsDatabase database) : SubscriptionWebhookTests<SqliteCreditsDatabase>(database);

public sealed class PostgresSubscriptionWebhookTests(PostgresCreditsDatabase database) : SubscriptionWebhookTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbSubscriptionWebhookTests(MariaDbCreditsDatabase database) : SubscriptionWebhookTests<MariaDbCreditsDatabase>(database);
