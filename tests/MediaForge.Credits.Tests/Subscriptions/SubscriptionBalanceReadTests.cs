using MediaForge.Credits.Entities;
using MediaForge.Credits.Ledger;
using MediaForge.Credits.Subscriptions;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static MediaForge.Credits.Tests.Subscriptions.SubscriptionScenario;

namespace MediaForge.Credits.Tests.Subscriptions;

/// <summary>
/// The balance read says whether the user has a subscription, so the balance endpoint reads the plan summary only for
/// subscribers, without a statement of its own to find out.
/// </summary>
public abstract class SubscriptionBalanceReadTests<TDatabase>(TDatabase database) : SubscriptionTestsBase<TDatabase>(database), IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    [Fact]
    public async Task BalanceRead_OfASubscriber_SaysTheUserHasASubscription()
    {
        var (s, user, sub) = (await ServicesAsync(), NewUser(), NewSubscription());
        await PayAsync(s, Invoice(sub, user, 1, Basic, March));

        var (balance, hasSubscription) = await BalanceAndPlanAsync(s, user);

        Assert.Equal(100, balance.Balance);
        Assert.True(hasSubscription);
    }

    [Fact]
    public async Task BalanceRead_OfAUserWhoseSubscriptionEnded_StillSaysTheUserHasOne()
    {
        var (s, user, sub) = (await ServicesAsync(), NewUser(), NewSubscription());
        await PayAsync(s, Invoice(sub, user, 1, Basic, March));
        await ApplyAsync(s, State(sub, user, 2, Basic, CreditSubscriptionStatus.Canceled, March, endedAt: March.AddDays(5)));

        Assert.True((await BalanceAndPlanAsync(s, user)).HasSubscription);
        Assert.Equal(CreditSubscriptionStatus.Canceled, (await DoAsync(s, p => p.GetSummaryAsync(user, default, hasSubscription: true)))!.Status);
    }

    [Fact]
    public async Task BalanceRead_OfAUserWithCreditsButNoSubscription_SaysTheUserHasNone()
    {
        var (s, user) = (await ServicesAsync(), NewUser());
        await using (var scope = s.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<ICreditService>().AddCreditsAsync(user, 50, CreditTransactionType.Bonus, "welcome");
        }

        var (balance, hasSubscription) = await BalanceAndPlanAsync(s, user);

        Assert.Equal(50, balance.Balance);
        Assert.False(hasSubscription);
    }

    [Fact]
    public async Task BalanceRead_OfAnUnknownUser_DoesNotSayAndThePlanSummaryAsksItself()
    {
        var (s, user) = (await ServicesAsync(), NewUser());

        Assert.Null((await BalanceAndPlanAsync(s, user)).HasSubscription);
        Assert.Null(await DoAsync(s, p => p.GetSummaryAsync(user, default, hasSubscription: null)));
    }

    [Fact]
    public async Task PlanSummary_GivenTheBalanceReadsAnswer_IsTheSummaryItReadsItself()
    {
        var (s, user, sub) = (await ServicesAsync(), NewUser(), NewSubscription());
        await PayAsync(s, Invoice(sub, user, 1, Basic, March));

        var told = await DoAsync(s, p => p.GetSummaryAsync(user, default, hasSubscription: true));
        var asked = await DoAsync(s, p => p.GetSummaryAsync(user, default));

        Assert.NotNull(told);
        Assert.Equal(asked, told);
        Assert.Equal(100, told.AllowanceLeft);
    }

    [Fact]
    public async Task PlanSummary_TheBalanceReadSaidNone_IsNullWithoutAStatement()
    {
        var readers = new ReaderCounter();
        await using var s = Database.BuildServices(Database.ConnectionString, configureContext: o => o.AddInterceptors(readers));
        var user = NewUser();

        var summary = await DoAsync(s, p => p.GetSummaryAsync(user, default, hasSubscription: false));

        Assert.Null(summary);
        Assert.Equal(0, readers.Readers);
    }

    private static async Task<(CreditBalance Balance, bool? HasSubscription)> BalanceAndPlanAsync(IServiceProvider s, string user)
    {
        await using var scope = s.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<CreditService>().GetBalanceAndPlanAsync(user, default);
    }
}

public sealed class SqliteSubscriptionBalanceReadTests(SqliteCreditsDatabase database) : SubscriptionBalanceReadTests<SqliteCreditsDatabase>(database);

public sealed class PostgresSubscriptionBalanceReadTests(PostgresCreditsDatabase database) : SubscriptionBalanceReadTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbSubscriptionBalanceReadTests(MariaDbCreditsDatabase database) : SubscriptionBalanceReadTests<MariaDbCreditsDatabase>(database);
