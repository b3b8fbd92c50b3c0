using MediaForge.Credits.Events;
using MediaForge.Credits.Subscriptions;
using MediaForge.Credits.Tests.Events;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static MediaForge.Credits.Tests.Subscriptions.SubscriptionScenario;

namespace MediaForge.Credits.Tests.Subscriptions;

/// <summary>
/// A period settled more than once (an update and its invoice, a proration, an invoice out of order): the plan it
/// names is the one of its largest allowance (the first of equal ones), it starts at the earliest start any of them
/// gave (which decides whether it started before the subscription ended), and an allowance expiring at this very
/// instant is not granted.
/// </summary>
public abstract class SubscriptionPeriodTests<TDatabase>(TDatabase database) : SubscriptionTestsBase<TDatabase>(database), IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private static async Task<string> RenewedPlanAsync(IServiceProvider services, string user) =>
        Assert.Single(await Outbox.EventsAsync<SubscriptionRenewed>(services, user)).PlanId;

    [Fact]
    public async Task InvoicePaid_SmallerPlanForAPeriodOwedALargerOne_GrantsAndNamesTheLargerPlan()
    {
        var (s, user, sub) = (await ServicesAsync(), NewUser(), NewSubscription());
        await ApplyAsync(s, State(sub, user, 1, Premium, CreditSubscriptionStatus.Active, March));

        Assert.Equal("granted: 300", await PayAsync(s, Invoice(sub, user, 2, Basic, March)));
        Assert.Equal("sc-premium", await RenewedPlanAsync(s, user));
    }

    [Fact]
    public async Task InvoicePaid_LargerPlanForAPeriodOwedASmallerOne_NamesTheLargerPlan()
    {
        var (s, user, sub) = (await ServicesAsync(), NewUser(), NewSubscription());
        await ApplyAsync(s, State(sub, user, 1, Basic, CreditSubscriptionStatus.Active, March));

        Assert.Equal("granted: 300", await PayAsync(s, Invoice(sub, user, 2, Premium, March)));
        Assert.Equal("sc-premium", await RenewedPlanAsync(s, user));
    }

    [Fact]
    public async Task InvoicePaid_OtherPlanOfTheSameAllowance_KeepsThePlanThePeriodWasOwedFirst()
    {
        var (s, user, sub) = (await ServicesAsync(), NewUser(), NewSubscription());
        await ApplyAsync(s, State(sub, user, 1, Basic, CreditSubscriptionStatus.Active, March));

        Assert.Equal("granted: 100", await PayAsync(s, Invoice(sub, user, 2, Lapse, March)));
        Assert.Equal("sc-basic", await RenewedPlanAsync(s, user));
    }

    [Fact]
    public async Task InvoicePaid_LineStartingAfterTheEnd_OfAPeriodThatStartedBefore_IsGranted()
    {
        var (s, user, sub) = (await ServicesAsync(), NewUser(), NewSubscription());
        await ApplyAsync(s, State(sub, user, 1, Basic, CreditSubscriptionStatus.Active, March));
        await ApplyAsync(s, State(sub, user, 2, Basic, CreditSubscriptionStatus.Canceled, March, March.AddDays(5)));
        var proration = new CreditSubscriptionInvoice(sub, null, user, 3, "subscription_update", [new CreditInvoiceLine(Basic, March.AddDays(10), April, 900)]);

        Assert.Equal("granted: 100", await PayAsync(s, proration));
    }

    [Fact]
    public async Task InvoicePaid_LineStartingBeforeTheStartKnown_CountsThePeriodFromTheEarlierStart()
    {
        var (s, user, sub) = (await ServicesAsync(), NewUser(), NewSubscription());
        await ApplyAsync(s, new CreditSubscriptionState(sub, null, user, 1, Basic, CreditSubscriptionStatus.Active, March.AddDays(10), April, null));
        await ApplyAsync(s, State(sub, user, 2, Basic, CreditSubscriptionStatus.Canceled, March, March.AddDays(5)));

        Assert.Equal("granted: 100", await PayAsync(s, Invoice(sub, user, 3, Basic, March)));
    }

    [Fact]
    public async Task InvoicePaid_AllowanceExpiringAtThisInstant_GrantsNothing()
    {
        var s = await BuildAsync(Database, new FakeTimeProvider(new DateTimeOffset(April, TimeSpan.Zero)));
        var (user, sub) = (NewUser(), NewSubscription());

        Assert.Equal("nothing_owed", await PayAsync(s, Invoice(sub, user, 1, Lapse, March)));
        Assert.Equal(0, await BalanceAsync(s, user));
    }
}

public sealed class SqliteSubscriptionPeriodTests(SqliteCreditsDatabase database) : SubscriptionPeriodTests<SqliteCreditsDatabase>(database);

public sealed class PostgresSubscriptionPeriodTests(PostgresCreditsDatabase database) : SubscriptionPeriodTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbSubscriptionPeriodTests(MariaDbCreditsDatabase database) : SubscriptionPeriodTests<MariaDbCreditsDatabase>(database);
