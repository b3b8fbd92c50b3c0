using MediaForge.Credits.Subscriptions;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static MediaForge.Credits.Tests.Subscriptions.SubscriptionScenario;

namespace MediaForge.Credits.Tests.Subscriptions;

/// <summary>
/// <c>customer.subscription.created/updated/deleted</c> as the core applies them: the newest state wins, a deletion is
/// final, an upgrade raises what the current period is owed; and what the balance and the plan list show.
/// </summary>
public abstract class SubscriptionStateTests<TDatabase>(TDatabase database) : SubscriptionTestsBase<TDatabase>(database), IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    [Fact]
    public async Task State_UnknownSubscriptionOfNoPlan_IsIgnoredAndRecordsNothing()
    {
        var (s, user, sub) = (await ServicesAsync(), NewUser(), NewSubscription());

        Assert.Equal("ignored_no_plan", await ApplyAsync(s, State(sub, user, 1, "price_unknown", CreditSubscriptionStatus.Active, March)));
        Assert.Equal("ignored_no_plan", await ApplyAsync(s, State(sub, user, 2, null, CreditSubscriptionStatus.Active, March)));
        Assert.Null(await RowAsync(s, sub));
    }

    [Fact]
    public async Task State_UpgradeMidPeriodOfAPaidPeriod_GrantsTheDifferenceAtOnce()
    {
        var (s, user, sub) = (await ServicesAsync(), NewUser(), NewSubscription());
        await PayAsync(s, Invoice(sub, user, 1, Basic, March));

        Assert.Equal("active, granted: 200", await ApplyAsync(s, State(sub, user, 2, Premium, CreditSubscriptionStatus.Active, March)));
        Assert.Equal("sc-premium", (await RowAsync(s, sub))!.PlanId);
        Assert.Equal(300, await BalanceAsync(s, user));
    }

    [Fact]
    public async Task State_UpgradeUnderAtRenewal_ChangesThePlanAndGrantsNothing()
    {
        var s = await BuildAsync(Database, Clock, o => o.Subscriptions.UpgradePolicy = CreditPlanUpgradePolicy.AtRenewal);
        var (user, sub) = (NewUser(), NewSubscription());
        await PayAsync(s, Invoice(sub, user, 1, Basic, March));

        Assert.Equal("active", await ApplyAsync(s, State(sub, user, 2, Premium, CreditSubscriptionStatus.Active, March)));
        Assert.Equal(100, await BalanceAsync(s, user));
    }

    [Fact]
    public async Task State_TrialingOfAPaidTrialPeriod_RaisesItToTheNewPlansTrialAllowance()
    {
        var (s, user, sub) = (await ServicesAsync(), NewUser(), NewSubscription());
        await PayAsync(s, Invoice(sub, user, 1, Basic, March, "subscription_create", amount: 0));

        Assert.Equal("trialing, granted: 20", await ApplyAsync(s, State(sub, user, 2, Premium, CreditSubscriptionStatus.Trialing, March)));
        Assert.Equal(40, await BalanceAsync(s, user));
    }

    [Fact]
    public async Task State_UpgradeOfAPeriodNotPaidYet_GrantsNothingUntilItIsPaid()
    {
        var (s, user, sub) = (await ServicesAsync(), NewUser(), NewSubscription());

        Assert.Equal("active", await ApplyAsync(s, State(sub, user, 1, Premium, CreditSubscriptionStatus.Active, March)));
        Assert.Equal("granted: 300", await PayAsync(s, Invoice(sub, user, 2, Basic, March)));
    }

    [Theory]
    [InlineData(CreditSubscriptionStatus.PastDue)]
    [InlineData(CreditSubscriptionStatus.Paused)]
    public async Task State_NeitherActiveNorTrialing_GrantsNoDifference(CreditSubscriptionStatus status)
    {
        var (s, user, sub) = (await ServicesAsync(), NewUser(), NewSubscription());
        await PayAsync(s, Invoice(sub, user, 1, Basic, March));

        Assert.Equal(status.ToString().ToLowerInvariant(), await ApplyAsync(s, State(sub, user, 2, Premium, status, March)));
        Assert.Equal(100, await BalanceAsync(s, user));
    }

    [Fact]
    public async Task State_OlderThanTheStateApplied_IsStaleAndChangesNothing()
    {
        var (s, user, sub) = (await ServicesAsync(), NewUser(), NewSubscription());
        await ApplyAsync(s, State(sub, user, 5, Basic, CreditSubscriptionStatus.Active, March));

        Assert.Equal("stale", await ApplyAsync(s, State(sub, user, 4, Basic, CreditSubscriptionStatus.Paused, April)));
        var row = await RowAsync(s, sub);
        Assert.Equal((CreditSubscriptionStatus.Active, April, 5L), (row!.Status, row.CurrentPeriodEnd, row.SourceVersion));
    }

    [Fact]
    public async Task State_SameSecondAsTheStateApplied_IsApplied()
    {
        var (s, user, sub) = (await ServicesAsync(), NewUser(), NewSubscription());
        await ApplyAsync(s, State(sub, user, 5, Basic, CreditSubscriptionStatus.Active, March));

        Assert.Equal("paused", await ApplyAsync(s, State(sub, user, 5, Basic, CreditSubscriptionStatus.Paused, March)));
    }

    [Fact]
    public async Task State_NewPeriod_BecomesTheShownPeriod()
    {
        var (s, user, sub) = (await ServicesAsync(), NewUser(), NewSubscription());
        await ApplyAsync(s, State(sub, user, 1, Basic, CreditSubscriptionStatus.Active, March));

        await ApplyAsync(s, State(sub, user, 2, Basic, CreditSubscriptionStatus.Active, April));

        var row = await RowAsync(s, sub);
        Assert.Equal((April, May), (row!.CurrentPeriodStart, row.CurrentPeriodEnd));
    }

    [Fact]
    public async Task State_WithoutPriceOrPeriod_ChangesTheStatusAndKeepsPlanAndPeriod()
    {
        var (s, user, sub) = (await ServicesAsync(), NewUser(), NewSubscription());
        await ApplyAsync(s, State(sub, user, 1, Basic, CreditSubscriptionStatus.Active, March));

        Assert.Equal("paused", await ApplyAsync(s, State(sub, user, 2, null, CreditSubscriptionStatus.Paused, null)));
        var row = await RowAsync(s, sub);
        Assert.Equal((CreditSubscriptionStatus.Paused, "sc-basic", March, April, (DateTime?)null), (row!.Status, row.PlanId, row.CurrentPeriodStart, row.CurrentPeriodEnd, row.EndedAt));
    }

    [Fact]
    public async Task State_Deleted_EndsItAtTheGivenTimeOrNow()
    {
        var (s, user, sub, other) = (await ServicesAsync(), NewUser(), NewSubscription(), NewSubscription());
        var at = March.AddDays(5);

        Assert.Equal("canceled", await ApplyAsync(s, State(sub, user, 1, Basic, CreditSubscriptionStatus.Canceled, March, at)));
        await ApplyAsync(s, State(other, user, 1, Basic, CreditSubscriptionStatus.Canceled, March));

        Assert.Equal(at, (await RowAsync(s, sub))!.EndedAt);
        Assert.Equal(Now.UtcDateTime, (await RowAsync(s, other))!.EndedAt);
    }

    [Fact]
    public async Task State_AfterTheDeletion_IsStaleAndGrantsNothing()
    {
        var (s, user, sub) = (await ServicesAsync(), NewUser(), NewSubscription());
        await PayAsync(s, Invoice(sub, user, 1, Basic, March));
        await ApplyAsync(s, State(sub, user, 2, Basic, CreditSubscriptionStatus.Canceled, March, March.AddDays(5)));

        Assert.Equal("stale", await ApplyAsync(s, State(sub, user, 3, Premium, CreditSubscriptionStatus.Active, March)));
        Assert.Equal((CreditSubscriptionStatus.Canceled, 100L), ((await RowAsync(s, sub))!.Status, await BalanceAsync(s, user)));
    }

    [Fact]
    public async Task State_SameSecondAsTheDeletion_IsStaleAndGrantsNothing()
    {
        var (s, user, sub) = (await ServicesAsync(), NewUser(), NewSubscription());
        await PayAsync(s, Invoice(sub, user, 1, Basic, March));
        await ApplyAsync(s, State(sub, user, 2, Basic, CreditSubscriptionStatus.Canceled, March, March.AddDays(5)));

        Assert.Equal("stale", await ApplyAsync(s, State(sub, user, 2, Premium, CreditSubscriptionStatus.Active, March)));
        Assert.Equal(100, await BalanceAsync(s, user));
    }

    [Fact]
    public async Task InvoicePaid_PeriodStartingAfterTheEnd_GrantsNothing_OneStartingBefore_IsGranted()
    {
        var (s, user, sub) = (await ServicesAsync(), NewUser(), NewSubscription());
        await ApplyAsync(s, State(sub, user, 1, Basic, CreditSubscriptionStatus.Canceled, March, March.AddDays(5)));

        Assert.Equal("nothing_owed", await PayAsync(s, Invoice(sub, user, 2, Basic, April)));
        Assert.Equal("granted: 100", await PayAsync(s, Invoice(sub, user, 3, Basic, March)));
    }

    [Fact]
    public async Task InvoicePaid_LinesOfOnePeriodStartingAfterAndBeforeTheEnd_PeriodStartsAtItsEarliestLine()
    {
        var (s, user, sub) = (await ServicesAsync(), NewUser(), NewSubscription());
        await ApplyAsync(s, State(sub, user, 1, Basic, CreditSubscriptionStatus.Canceled, March, March.AddDays(5)));
        var invoice = new CreditSubscriptionInvoice(sub, "cus_" + sub, user, 2, "subscription_cycle",
            [new CreditInvoiceLine(Basic, March.AddDays(10), April, 1200), new CreditInvoiceLine(Basic, March, April, 1900)]);

        Assert.Equal("granted: 100", await PayAsync(s, invoice));
    }

    [Fact]
    public async Task Summary_NoSubscription_IsNull()
    {
        var s = await ServicesAsync();

        Assert.Null(await DoAsync(s, x => x.GetSummaryAsync(NewUser(), default)));
    }

    [Fact]
    public async Task Summary_Subscribed_ShowsThePlanThePeriodEndAndTheAllowanceLeft()
    {
        var (s, user, sub) = (await ServicesAsync(), NewUser(), NewSubscription());
        await PayAsync(s, Invoice(sub, user, 1, Basic, March));
        await SpendAsync(s, user, 30);

        var summary = await DoAsync(s, x => x.GetSummaryAsync(user, default));

        Assert.Equal(new CreditSubscriptionSummary("sc-basic", "Basic", CreditSubscriptionStatus.Active, new DateTimeOffset(April, TimeSpan.Zero), 100, 70), summary);
    }

    [Fact]
    public async Task Summary_ANewerCanceledSubscription_ShowsTheOneStillRunning()
    {
        var (s, user) = (await ServicesAsync(), NewUser());
        var running = NewSubscription();
        await PayAsync(s, Invoice(running, user, 1, Premium, March));
        Clock.Advance(TimeSpan.FromSeconds(1));
        await ApplyAsync(s, State(NewSubscription(), user, 2, Basic, CreditSubscriptionStatus.Canceled, March));

        var summary = await DoAsync(s, x => x.GetSummaryAsync(user, default));

        Assert.Equal(("sc-premium", CreditSubscriptionStatus.Active, 300L), (summary!.PlanId, summary.Status, summary.AllowanceLeft));
    }

    [Fact]
    public async Task Summary_TwoRunningSubscriptions_ShowsTheOneUpdatedLast()
    {
        var (s, user) = (await ServicesAsync(), NewUser());
        await PayAsync(s, Invoice(NewSubscription(), user, 1, Basic, March));
        Clock.Advance(TimeSpan.FromSeconds(1));
        await PayAsync(s, Invoice(NewSubscription(), user, 2, Premium, March));

        var summary = await DoAsync(s, x => x.GetSummaryAsync(user, default));

        Assert.Equal(("sc-premium", CreditSubscriptionStatus.Active), (summary!.PlanId, summary.Status));
    }

    [Fact]
    public async Task Summary_AtTheInstantTheAllowanceLapses_ShowsNoAllowanceLeft()
    {
        var (s, user, sub) = (await ServicesAsync(), NewUser(), NewSubscription());
        await PayAsync(s, Invoice(sub, user, 1, Basic, March));
        Clock.SetUtcNow(await AllowanceExpiryAsync(s, user));

        var summary = await DoAsync(s, x => x.GetSummaryAsync(user, default));

        Assert.Equal(0L, summary!.AllowanceLeft);
    }

    [Fact]
    public async Task Summary_AllowanceLapsedAndNotYetWrittenOff_ShowsNoAllowanceLeft()
    {
        var (s, user, sub) = (await ServicesAsync(), NewUser(), NewSubscription());
        await PayAsync(s, Invoice(sub, user, 1, Basic, March));
        Clock.SetUtcNow((await AllowanceExpiryAsync(s, user)).AddDays(1));

        var summary = await DoAsync(s, x => x.GetSummaryAsync(user, default));

        Assert.Equal((100L, 0L), (Assert.Single(await LotsAsync(s, user)).Remaining, summary!.AllowanceLeft));
    }

    /// <summary>When the user's one allowance lot expires.</summary>
    private static async Task<DateTimeOffset> AllowanceExpiryAsync(IServiceProvider services, string user) =>
        new(DateTime.SpecifyKind(Assert.Single(await LotsAsync(services, user)).ExpiresAt, DateTimeKind.Utc));

    [Fact]
    public async Task Plans_ListsTheActivePlansInTheirOrder()
    {
        var s = await ServicesAsync();

        var plans = await DoAsync(s, x => x.GetPlansAsync(default));

        Assert.Equal(["sc-basic", "sc-lapse", "sc-premium"], plans.Select(p => p.Id));
    }

    [Fact]
    public void KeyPrefix_IdOfTheLongestKeyedLength_AppearsAsItIs_ALongerOneByItsHash()
    {
        var longest = new string('a', CreditSubscriptionGrants.MaxKeyedIdLength);

        Assert.Equal($"mf:subscription:{longest}:", CreditSubscriptionGrants.KeyPrefix(longest));
        Assert.StartsWith("mf:subscription:sha256-", CreditSubscriptionGrants.KeyPrefix(longest + "a"), StringComparison.Ordinal);
        Assert.NotEqual(CreditSubscriptionGrants.KeyPrefix(longest + "a"), CreditSubscriptionGrants.KeyPrefix(longest + "b"));
    }
}

public sealed class SqliteSubscriptionStateTests(SqliteCreditsDatabase database) : SubscriptionStateTests<SqliteCreditsDatabase>(database);

public sealed class PostgresSubscriptionStateTests(PostgresCreditsDatabase database) : SubscriptionStateTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbSubscriptionStateTests(MariaDbCreditsDatabase database) : SubscriptionStateTests<MariaDbCreditsDatabase>(database);
