using MediaForge.Credits.Events;
using MediaForge.Credits.Subscriptions;
using MediaForge.Credits.Tests.Events;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static MediaForge.Credits.Tests.Subscriptions.SubscriptionScenario;

namespace MediaForge.Credits.Tests.Subscriptions;

/// <summary>
/// <c>invoice.paid</c> and <c>invoice.payment_failed</c> as the core applies them (the add-on's webhook tests reach the
/// same code through Stripe's payloads): what a paid period is owed, when its allowance expires, and the status.
/// </summary>
public abstract class SubscriptionInvoiceTests<TDatabase>(TDatabase database) : SubscriptionTestsBase<TDatabase>(database), IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    [Fact]
    public async Task InvoicePaid_FirstPeriod_GrantsTheAllowanceLastingTheGracePastThePeriod()
    {
        var (s, user, sub) = (await ServicesAsync(), NewUser(), NewSubscription());

        var outcome = await PayAsync(s, Invoice(sub, user, 1, Basic, March));

        Assert.Equal("granted: 100", outcome);
        Assert.Equal([(100L, April.AddDays(3))], await LotsAsync(s, user));
        var row = await RowAsync(s, sub);
        Assert.Equal((CreditSubscriptionStatus.Active, "sc-basic", March, April, user), (row!.Status, row.PlanId, row.CurrentPeriodStart, row.CurrentPeriodEnd, row.UserId));
    }

    [Fact]
    public async Task InvoicePaid_PlanThatExpiresItsAllowance_AllowanceEndsWithThePeriod()
    {
        var (s, user, sub) = (await ServicesAsync(), NewUser(), NewSubscription());

        await PayAsync(s, Invoice(sub, user, 1, Lapse, March));

        Assert.Equal([(100L, April)], await LotsAsync(s, user));
    }

    [Fact]
    public async Task InvoicePaid_PriceOfNoPlan_IsIgnoredAndRecordsNothing()
    {
        var (s, user, sub) = (await ServicesAsync(), NewUser(), NewSubscription());

        Assert.Equal("ignored_no_plan", await PayAsync(s, Invoice(sub, user, 1, "price_unknown", March)));
        Assert.Null(await RowAsync(s, sub));
    }

    [Fact]
    public async Task InvoicePaid_LineEndingWhereItStarts_IsIgnored()
    {
        var (s, user, sub) = (await ServicesAsync(), NewUser(), NewSubscription());
        var invoice = new CreditSubscriptionInvoice(sub, null, user, 1, "subscription_cycle", [new CreditInvoiceLine(Basic, March, March, 1900)]);

        Assert.Equal("ignored_no_plan", await PayAsync(s, invoice));
        Assert.Equal(0, await BalanceAsync(s, user));
    }

    [Fact]
    public async Task InvoicePaid_SameInvoiceAgain_GrantsNothingMore()
    {
        var (s, user, sub) = (await ServicesAsync(), NewUser(), NewSubscription());
        await PayAsync(s, Invoice(sub, user, 1, Basic, March));

        Assert.Equal("nothing_owed", await PayAsync(s, Invoice(sub, user, 1, Basic, March)));
        Assert.Equal(100, await BalanceAsync(s, user));
    }

    [Fact]
    public async Task InvoicePaid_PlanChangeUnderGrantDifference_GrantsTheLargerPlansAllowance()
    {
        var (s, user, sub) = (await ServicesAsync(), NewUser(), NewSubscription());
        await PayAsync(s, Invoice(sub, user, 1, Basic, March));

        Assert.Equal("granted: 200", await PayAsync(s, Invoice(sub, user, 2, Premium, March, "subscription_update")));
    }

    [Fact]
    public async Task InvoicePaid_PlanChangeUnderAtRenewal_GrantsNothingUntilTheRenewal()
    {
        var s = await BuildAsync(Database, Clock, o => o.Subscriptions.UpgradePolicy = CreditPlanUpgradePolicy.AtRenewal);
        var (user, sub) = (NewUser(), NewSubscription());
        await PayAsync(s, Invoice(sub, user, 1, Basic, March));

        Assert.Equal("plan_change_applies_at_renewal", await PayAsync(s, Invoice(sub, user, 2, Premium, March, "subscription_update")));
        Assert.Equal("granted: 100", await PayAsync(s, Invoice(sub, user, 3, Basic, April)));
        Assert.Contains((100L, May.AddDays(3)), await LotsAsync(s, user));
    }

    [Fact]
    public async Task InvoicePaid_ZeroAmountLineOfTheFirstInvoice_GrantsTheTrialAllowance()
    {
        var (s, user, sub) = (await ServicesAsync(), NewUser(), NewSubscription());

        Assert.Equal("granted: 20", await PayAsync(s, Invoice(sub, user, 1, Basic, March, "subscription_create", amount: 0)));
    }

    [Theory]
    [InlineData("subscription_create", 1900)]
    [InlineData("subscription_cycle", 0)]
    public async Task InvoicePaid_NotAZeroAmountFirstInvoice_GrantsTheFullAllowance(string reason, long amount)
    {
        var (s, user, sub) = (await ServicesAsync(), NewUser(), NewSubscription());

        Assert.Equal("granted: 100", await PayAsync(s, Invoice(sub, user, 1, Basic, March, reason, amount)));
    }

    [Fact]
    public async Task InvoicePaid_TrialOfAPlanWithoutTrialAllowance_GrantsNothing()
    {
        var (s, user, sub) = (await ServicesAsync(), NewUser(), NewSubscription());

        Assert.Equal("nothing_owed", await PayAsync(s, Invoice(sub, user, 1, Lapse, March, "subscription_create", amount: 0)));
    }

    [Fact]
    public async Task InvoicePaid_TwoPlansForOnePeriod_GrantsTheLargerAllowanceOnce()
    {
        var (s, user, sub) = (await ServicesAsync(), NewUser(), NewSubscription());
        var invoice = new CreditSubscriptionInvoice(sub, null, user, 1, "subscription_cycle",
            [new CreditInvoiceLine(Basic, March, April, -500), new CreditInvoiceLine(Premium, March.AddDays(5), April, 2900)]);

        Assert.Equal("granted: 300", await PayAsync(s, invoice));
        Assert.Equal([(300L, April.AddDays(3))], await LotsAsync(s, user));
    }

    [Fact]
    public async Task InvoicePaid_UnknownSubscriptionWithoutUser_IsRefusedAndRecordsNothing()
    {
        var (s, sub) = (await ServicesAsync(), NewSubscription());

        var refused = await Assert.ThrowsAsync<CreditSubscriptionUserUnknownException>(() => PayAsync(s, Invoice(sub, null, 1, Basic, March)));

        Assert.Equal(sub, refused.SubscriptionId);
        Assert.Null(await RowAsync(s, sub));
    }

    [Fact]
    public async Task InvoicePaid_UnknownSubscriptionWithoutUser_RefusalMessageNamesTheSubscription()
    {
        var (s, sub) = (await ServicesAsync(), NewSubscription());

        var refused = await Assert.ThrowsAsync<CreditSubscriptionUserUnknownException>(() => PayAsync(s, Invoice(sub, null, 1, Basic, March)));

        Assert.Contains($"'{sub}'", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvoicePaid_LinesOfTwoPeriods_ShowsTheLaterPeriod()
    {
        var (s, user, sub) = (await ServicesAsync(), NewUser(), NewSubscription());
        var invoice = new CreditSubscriptionInvoice(sub, null, user, 1, "subscription_cycle",
            [new CreditInvoiceLine(Basic, March, April, 1900), new CreditInvoiceLine(Basic, April, May, 1900)]);

        await PayAsync(s, invoice);

        var row = await RowAsync(s, sub);
        Assert.Equal((April, May), (row!.CurrentPeriodStart, row.CurrentPeriodEnd));
    }

    [Fact]
    public async Task InvoicePaid_ProrationOfTheShownPeriod_KeepsItsStart()
    {
        var (s, user, sub) = (await ServicesAsync(), NewUser(), NewSubscription());
        await ApplyAsync(s, State(sub, user, 1, Basic, CreditSubscriptionStatus.Active, March));
        var proration = new CreditSubscriptionInvoice(sub, null, user, 2, "subscription_update", [new CreditInvoiceLine(Premium, March.AddDays(10), April, 1200)]);

        await PayAsync(s, proration);

        var row = await RowAsync(s, sub);
        Assert.Equal((March, April), (row!.CurrentPeriodStart, row.CurrentPeriodEnd));
    }

    [Fact]
    public async Task InvoicePaid_NextPeriodBeforeTheUpdate_MovesTheShownPeriodOnAndAnOlderOneDoesNotMoveItBack()
    {
        var (s, user, sub) = (await ServicesAsync(), NewUser(), NewSubscription());
        await PayAsync(s, Invoice(sub, user, 1, Basic, April));

        await PayAsync(s, Invoice(sub, user, 2, Basic, March));

        var row = await RowAsync(s, sub);
        Assert.Equal((April, May), (row!.CurrentPeriodStart, row.CurrentPeriodEnd));
    }

    [Fact]
    public async Task InvoicePaid_PeriodWhoseAllowanceHasLapsed_GrantsNothing()
    {
        var (s, user, sub) = (await ServicesAsync(), NewUser(), NewSubscription());

        Assert.Equal("nothing_owed", await PayAsync(s, Invoice(sub, user, 1, Lapse, March.AddMonths(-1))));
    }

    [Fact]
    public async Task InvoicePaid_NewPeriod_RaisesSubscriptionRenewedOnce()
    {
        var (s, user, sub) = (await ServicesAsync(), NewUser(), NewSubscription());
        await PayAsync(s, Invoice(sub, user, 1, Basic, March));
        await PayAsync(s, Invoice(sub, user, 2, Premium, March, "subscription_update"));

        var renewed = Assert.Single(await Outbox.EventsAsync<SubscriptionRenewed>(s, user));

        Assert.Equal((sub, "sc-basic", 100L, new DateTimeOffset(April, TimeSpan.Zero)), (renewed.SubscriptionId, renewed.PlanId, renewed.Credits, renewed.PeriodEnd));
    }

    [Fact]
    public async Task PaymentFailed_PaidSubscription_MarksItPastDueUntilAnInvoiceIsPaid()
    {
        var (s, user, sub) = (await ServicesAsync(), NewUser(), NewSubscription());
        await PayAsync(s, Invoice(sub, user, 1, Basic, March));

        Assert.Equal("past_due", await DoAsync(s, x => x.ApplyPaymentFailedAsync(sub, 2, default)));
        Assert.Equal(CreditSubscriptionStatus.PastDue, (await RowAsync(s, sub))!.Status);
        await PayAsync(s, Invoice(sub, user, 3, Basic, April));
        Assert.Equal(CreditSubscriptionStatus.Active, (await RowAsync(s, sub))!.Status);
    }

    [Fact]
    public async Task InvoicePaid_FirstInvoiceOfAnIncompleteSubscription_MarksItActiveInThePeriodItKnew()
    {
        var (s, user, sub) = (await ServicesAsync(), NewUser(), NewSubscription());
        await ApplyAsync(s, State(sub, user, 1, Basic, CreditSubscriptionStatus.Incomplete, March));

        Assert.Equal("granted: 100", await PayAsync(s, Invoice(sub, user, 2, Basic, March, "subscription_create")));

        var row = (await RowAsync(s, sub))!;
        Assert.Equal((CreditSubscriptionStatus.Active, (DateTime?)April), (row.Status, row.CurrentPeriodEnd));
    }

    [Fact]
    public async Task InvoicePaid_OlderThanThePaymentFailure_GrantsButLeavesItPastDue()
    {
        var (s, user, sub) = (await ServicesAsync(), NewUser(), NewSubscription());
        await PayAsync(s, Invoice(sub, user, 1, Basic, March));
        await DoAsync(s, x => x.ApplyPaymentFailedAsync(sub, 5, default));

        Assert.Equal("granted: 100", await PayAsync(s, Invoice(sub, user, 4, Basic, April)));
        Assert.Equal(CreditSubscriptionStatus.PastDue, (await RowAsync(s, sub))!.Status);
    }

    [Fact]
    public async Task InvoicePaid_SameSecondAsThePaymentFailure_MarksItActive()
    {
        var (s, user, sub) = (await ServicesAsync(), NewUser(), NewSubscription());
        await PayAsync(s, Invoice(sub, user, 1, Basic, March));
        await DoAsync(s, x => x.ApplyPaymentFailedAsync(sub, 5, default));

        await PayAsync(s, Invoice(sub, user, 5, Basic, April));

        Assert.Equal(CreditSubscriptionStatus.Active, (await RowAsync(s, sub))!.Status);
    }

    [Fact]
    public async Task PaymentFailed_UnknownSubscription_ChangesNothing()
    {
        var s = await ServicesAsync();

        Assert.Equal("unknown_subscription", await DoAsync(s, x => x.ApplyPaymentFailedAsync(NewSubscription(), 1, default)));
    }

    [Fact]
    public async Task PaymentFailed_OlderThanThePaymentApplied_IsStale()
    {
        var (s, user, sub) = (await ServicesAsync(), NewUser(), NewSubscription());
        await PayAsync(s, Invoice(sub, user, 1, Basic, March));
        await ApplyAsync(s, State(sub, user, 5, Basic, CreditSubscriptionStatus.Active, March));

        Assert.Equal("stale", await DoAsync(s, x => x.ApplyPaymentFailedAsync(sub, 4, default)));
        Assert.Equal(CreditSubscriptionStatus.Active, (await RowAsync(s, sub))!.Status);
    }

    [Fact]
    public async Task PaymentFailed_SameTimeAsTheStateApplied_MarksItPastDue()
    {
        var (s, user, sub) = (await ServicesAsync(), NewUser(), NewSubscription());
        await ApplyAsync(s, State(sub, user, 5, Basic, CreditSubscriptionStatus.Active, March));

        Assert.Equal("past_due", await DoAsync(s, x => x.ApplyPaymentFailedAsync(sub, 5, default)));
    }

    [Fact]
    public async Task PaymentFailed_CanceledSubscription_IsStale()
    {
        var (s, user, sub) = (await ServicesAsync(), NewUser(), NewSubscription());
        await ApplyAsync(s, State(sub, user, 1, Basic, CreditSubscriptionStatus.Canceled, March));

        Assert.Equal("stale", await DoAsync(s, x => x.ApplyPaymentFailedAsync(sub, 2, default)));
        Assert.Equal(CreditSubscriptionStatus.Canceled, (await RowAsync(s, sub))!.Status);
    }
}

public sealed class SqliteSubscriptionInvoiceTests(SqliteCreditsDatabase database) : SubscriptionInvoiceTests<SqliteCreditsDatabase>(database);

public sealed class PostgresSubscriptionInvoiceTests(PostgresCreditsDatabase database) : SubscriptionInvoiceTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbSubscriptionInvoiceTests(MariaDbCreditsDatabase database) : SubscriptionInvoiceTests<MariaDbCreditsDatabase>(database);
