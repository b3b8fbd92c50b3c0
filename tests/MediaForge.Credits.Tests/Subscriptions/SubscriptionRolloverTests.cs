using MediaForge.Credits.Entities;
using MediaForge.Credits.Events;
using MediaForge.Credits.Subscriptions;
using MediaForge.Credits.Tests.Events;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static MediaForge.Credits.Tests.Subscriptions.SubscriptionScenario;

namespace MediaForge.Credits.Tests.Subscriptions;

/// <summary>
/// The renewal's rollover as the core settles it: the unused allowance of the period before carried into the new one up
/// to the plan's cap, the rest ended at once, a late period rolled into the later one, and the low-balance alert on the
/// renewal's net change. Each user's March period is paid on 10 March, its April period on 1 April at 01:00.
/// </summary>
public abstract class SubscriptionRolloverTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private static readonly DateTimeOffset Renewal = new(April.AddHours(1), TimeSpan.Zero);

    private async Task<(ServiceProvider Services, FakeTimeProvider Clock, string User, string Subscription)> SubscribedAsync(string price, long spent,
        long lowBalanceThreshold = 0)
    {
        var clock = new FakeTimeProvider(Now);
        var services = await BuildAsync(database, clock, o => o.Events.LowBalanceThreshold = lowBalanceThreshold);
        var (user, sub) = (NewUser(), NewSubscription());
        await PayAsync(services, Invoice(sub, user, 1, price, March));
        if (spent > 0)
        {
            await SpendAsync(services, user, spent);
        }

        return (services, clock, user, sub);
    }

    private static Task<long> CarriedInAsync(IServiceProvider services, string subscription, DateTime periodEnd) =>
        ReadAsync(services, db => db.Set<CreditSubscriptionPeriodRow>().AsNoTracking()
            .Where(p => p.SubscriptionId == subscription && p.PeriodEnd == periodEnd).Select(p => p.CarriedIn).SingleAsync());

    [Fact]
    public async Task Renewal_UnusedAllowanceOverTheCap_CarriesTheCapAndEndsTheRest()
    {
        var (s, clock, user, sub) = await SubscribedAsync(Basic, spent: 30);
        clock.SetUtcNow(Renewal);

        Assert.Equal("granted: 100", await PayAsync(s, Invoice(sub, user, 2, Basic, April)));

        Assert.Equal(150, await BalanceAsync(s, user));
        Assert.Equal([(50L, May.AddDays(3)), (100L, May.AddDays(3))], await LotsAsync(s, user));
        Assert.Equal(50, await CarriedInAsync(s, sub, May));
    }

    [Fact]
    public async Task Renewal_UnusedAllowance_EndsAsAnExpirationSayingItEndedAtRenewal()
    {
        var (s, clock, user, sub) = await SubscribedAsync(Basic, spent: 30);
        clock.SetUtcNow(Renewal);

        await PayAsync(s, Invoice(sub, user, 2, Basic, April));

        var ended = await ReadAsync(s, db => db.Transactions.AsNoTracking().Where(t => t.UserId == user && t.Type == CreditTransactionType.Expiration).SingleAsync());
        Assert.Equal((-70L, "70 allowance credits ended at renewal"), (ended.Amount, ended.Description));
        using var metadata = System.Text.Json.JsonDocument.Parse(ended.Metadata!);
        Assert.Equal(["lotId", "grantedBy", "expiredAt", "endedBy"], metadata.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal("rollover", metadata.RootElement.GetProperty("endedBy").GetString());
    }

    [Fact]
    public async Task Renewal_PlanWithoutCap_CarriesAllTheUnusedAllowance()
    {
        var (s, clock, user, sub) = await SubscribedAsync(Premium, spent: 100);
        clock.SetUtcNow(Renewal);

        await PayAsync(s, Invoice(sub, user, 2, Premium, April));

        Assert.Equal(500, await BalanceAsync(s, user));
        Assert.Equal(200, await CarriedInAsync(s, sub, May));
    }

    [Fact]
    public async Task Renewal_PaidBeforeThePeriodEnds_PlanThatExpires_EndsTheUnusedAllowanceAndCarriesNothing()
    {
        var (s, _, user, sub) = await SubscribedAsync(Lapse, spent: 30);

        await PayAsync(s, Invoice(sub, user, 2, Lapse, April));

        Assert.Equal(100, await BalanceAsync(s, user));
        Assert.Equal([(100L, May)], await LotsAsync(s, user));
        Assert.Equal(0, await CarriedInAsync(s, sub, May));
    }

    [Fact]
    public async Task Renewal_WithNothingLeftOfThePeriodBefore_CarriesNothing()
    {
        var (s, clock, user, sub) = await SubscribedAsync(Basic, spent: 100);
        clock.SetUtcNow(Renewal);

        await PayAsync(s, Invoice(sub, user, 2, Basic, April));

        Assert.Equal((100L, 0L), (await BalanceAsync(s, user), await CarriedInAsync(s, sub, May)));
    }

    [Fact]
    public async Task InvoicePaid_PeriodPaidAfterTheNextOne_RollsIntoTheNextUnderItsCap()
    {
        var clock = new FakeTimeProvider(Renewal);
        var s = await BuildAsync(database, clock);
        var (user, sub) = (NewUser(), NewSubscription());
        await PayAsync(s, Invoice(sub, user, 1, Basic, April));

        Assert.Equal("granted: 100", await PayAsync(s, Invoice(sub, user, 2, Basic, March)));

        Assert.Equal(150, await BalanceAsync(s, user));
        Assert.Equal(50, await CarriedInAsync(s, sub, May));
    }

    [Fact]
    public async Task InvoicePaid_PeriodPaidWhileTheNextOneIsNotPaidYet_KeepsItsAllowanceInItsOwnLot()
    {
        var clock = new FakeTimeProvider(Renewal);
        var s = await BuildAsync(database, clock);
        var (user, sub) = (NewUser(), NewSubscription());
        await ApplyAsync(s, State(sub, user, 1, Basic, CreditSubscriptionStatus.Active, April));

        Assert.Equal("granted: 100", await PayAsync(s, Invoice(sub, user, 2, Basic, March)));

        Assert.Equal([(100L, April.AddDays(3))], await LotsAsync(s, user));
        Assert.Equal(0, await CarriedInAsync(s, sub, May));
    }

    [Fact]
    public async Task Renewal_SeveralLotsLeftOfThePeriodBefore_CarriesThemAll()
    {
        var (s, clock, user, sub) = await SubscribedAsync(Basic, spent: 0);
        await PayAsync(s, Invoice(sub, user, 2, Premium, March, "subscription_update"));
        clock.SetUtcNow(Renewal);

        await PayAsync(s, Invoice(sub, user, 3, Premium, April));

        Assert.Equal((600L, 300L), (await BalanceAsync(s, user), await CarriedInAsync(s, sub, May)));
    }

    [Fact]
    public async Task Renewal_CarriedCredits_AreKeyedByThePeriodEndAndTheFirstLotCarried()
    {
        var (s, clock, user, sub) = await SubscribedAsync(Basic, spent: 30);
        var lot = await ReadAsync(s, db => db.Set<CreditGrant>().AsNoTracking().Where(g => g.UserId == user).Select(g => g.Id).SingleAsync());
        clock.SetUtcNow(Renewal);

        await PayAsync(s, Invoice(sub, user, 2, Basic, April));

        var key = $"{CreditSubscriptionGrants.KeyPrefix(sub)}{new DateTimeOffset(May, TimeSpan.Zero).ToUnixTimeSeconds()}:carry:{lot:N}";
        Assert.Equal(50, await ReadAsync(s, db => db.Transactions.AsNoTracking().Where(t => t.UserId == user && t.IdempotencyKey == key).Select(t => t.Amount).SingleAsync()));
    }

    [Fact]
    public async Task Renewal_FirstLotOfThePeriodSpent_CarriedCreditsAreKeyedByTheFirstLotWithCreditsLeft()
    {
        // Basic's 100, then a minute later Premium's difference of 200 the same period; the 100 spent take Basic's lot
        // (granted first).
        var (s, clock, user, sub) = await SubscribedAsync(Basic, spent: 0);
        clock.Advance(TimeSpan.FromMinutes(1));
        await PayAsync(s, Invoice(sub, user, 2, Premium, March, "subscription_update"));
        await SpendAsync(s, user, 100);
        var left = await ReadAsync(s, db => db.Set<CreditGrant>().AsNoTracking().Where(g => g.UserId == user && g.Remaining > 0).Select(g => g.Id).SingleAsync());
        clock.SetUtcNow(Renewal);

        await PayAsync(s, Invoice(sub, user, 3, Premium, April));

        var key = $"{CreditSubscriptionGrants.KeyPrefix(sub)}{new DateTimeOffset(May, TimeSpan.Zero).ToUnixTimeSeconds()}:carry:{left:N}";
        Assert.True(await ReadAsync(s, db => db.Transactions.AsNoTracking().AnyAsync(t => t.UserId == user && t.IdempotencyKey == key)));
    }

    [Fact]
    public async Task Renewal_CarriedCredits_AreDescribedAsThePlansAllowanceCarriedIntoTheNewPeriod()
    {
        var (s, clock, user, sub) = await SubscribedAsync(Basic, spent: 30);
        clock.SetUtcNow(Renewal);

        await PayAsync(s, Invoice(sub, user, 2, Basic, April));

        var carried = await ReadAsync(s, db => db.Transactions.AsNoTracking()
            .Where(t => t.UserId == user && t.IdempotencyKey!.Contains(":carry:")).Select(t => t.Description).SingleAsync());
        Assert.Equal("Basic allowance carried into the period until 2026-05-01", carried);
    }

    [Fact]
    public async Task InvoicePaid_PeriodPaidAfterTheNextOneOfAnExpiringPlan_RollsOnlyItsOwnAllowance()
    {
        var clock = new FakeTimeProvider(Renewal);
        var s = await BuildAsync(database, clock);
        var (user, sub) = (NewUser(), NewSubscription());
        await PayAsync(s, Invoice(sub, user, 1, Lapse, April));

        Assert.Equal("granted: 100", await PayAsync(s, Invoice(sub, user, 2, Basic, March)));

        Assert.Equal([(100L, May), (50L, May.AddDays(3))], await LotsAsync(s, user));
    }

    [Fact]
    public async Task State_UpgradeOfALatePeriodThatAlreadyRolledOver_RollsOnlyWhatIsLeftOfTheCap()
    {
        var clock = new FakeTimeProvider(Renewal);
        var s = await BuildAsync(database, clock);
        var (user, sub) = (NewUser(), NewSubscription());
        await PayAsync(s, Invoice(sub, user, 1, Basic, April));
        await PayAsync(s, Invoice(sub, user, 2, Basic, March, "subscription_create", amount: 0));
        Assert.Equal(20, await CarriedInAsync(s, sub, May));

        Assert.Equal("active, granted: 80", await ApplyAsync(s, State(sub, user, 3, Basic, CreditSubscriptionStatus.Active, March)));

        Assert.Equal((150L, 50L), (await BalanceAsync(s, user), await CarriedInAsync(s, sub, May)));
    }

    [Fact]
    public async Task Renewal_EndingMoreThanItCarries_RaisesLowBalanceWhenTheNetChangeCrossesTheThreshold()
    {
        var (s, clock, user, sub) = await SubscribedAsync(Basic, spent: 30, lowBalanceThreshold: 170);
        clock.SetUtcNow(Renewal);

        await PayAsync(s, Invoice(sub, user, 2, Basic, April));

        var alert = Assert.Single(await Outbox.EventsAsync<LowBalance>(s, user));
        Assert.Equal((150L, 170L), (alert.Balance, alert.Threshold));
    }

    [Fact]
    public async Task Renewal_NetChangeNotReachingTheThreshold_RaisesNoAlert()
    {
        var (s, clock, user, sub) = await SubscribedAsync(Basic, spent: 30, lowBalanceThreshold: 171);
        clock.SetUtcNow(Renewal);

        await PayAsync(s, Invoice(sub, user, 2, Basic, April));

        Assert.Empty(await Outbox.EventsAsync<LowBalance>(s, user));
    }
}

public sealed class SqliteSubscriptionRolloverTests(SqliteCreditsDatabase database) : SubscriptionRolloverTests<SqliteCreditsDatabase>(database);

public sealed class PostgresSubscriptionRolloverTests(PostgresCreditsDatabase database) : SubscriptionRolloverTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbSubscriptionRolloverTests(MariaDbCreditsDatabase database) : SubscriptionRolloverTests<MariaDbCreditsDatabase>(database);
