using MediaForge.Credits.AspNetCore.Tests.Infrastructure;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace MediaForge.Credits.AspNetCore.Tests.Subscriptions;

/// <summary>
/// One subscription's life as Stripe reports it — created on basic, first invoice paid, upgraded to premium (the
/// update and its proration invoice), renewed — delivered in every order, with a retry: each period is granted its
/// allowance once (period 1 the premium 300, period 2 300), whatever the order. And the rollover at renewal.
/// </summary>
public abstract class SubscriptionEventOrderTests<TDatabase>(TDatabase database) : SubscriptionAppTests<TDatabase>(database)
    where TDatabase : CreditsDatabase
{
    private static IEnumerable<List<T>> Permutations<T>(List<T> items) => items.Count <= 1
        ? [items]
        : items.SelectMany((item, i) => Permutations([.. items.Take(i), .. items.Skip(i + 1)]).Select(rest => (List<T>)[item, .. rest]));

    [Fact]
    public async Task SubscriptionEvents_EveryOrderWithARetry_GrantEachPeriodOnce()
    {
        var orders = 0;
        foreach (var order in Permutations([0, 1, 2, 3, 4]))
        {
            var (user, sub) = (NewUser(), NewSubscription());
            string[] events =
            [
                Updated(sub, user, Basic, type: "customer.subscription.created"),
                Paid(sub, user, Basic, P1Start, P1End, "subscription_create"),
                Updated(sub, user, Premium),
                Paid(sub, user, Premium, P1Start.AddDays(5), P1End, "subscription_update", amount: 2000),
                Paid(sub, user, Premium, P1End, P2End),
            ];

            // Each event as delivered in this order; the first one delivered again at the end (a retry).
            foreach (var index in order.Append(order[0]))
            {
                await ReceiptAsync(events[index]);
            }

            Assert.Equal(new Dictionary<long, long> { [Unix(P1End)] = 300, [Unix(P2End)] = 300 }, await GrantedPerPeriodAsync(user, sub));
            var (balance, ledger) = await LedgerAsync(App, user);
            Assert.Equal(ledger, balance);
            Assert.Equal(300 + 50, balance); // period 2's allowance and the cap carried from period 1, whatever the order
            orders++;
        }

        Assert.Equal(120, orders);
    }

    [Fact]
    public async Task Renewal_UnusedAllowanceOverTheCap_CarriesTheCapAndExpiresTheRestAtomicallyOnce()
    {
        var (user, sub) = (NewUser(), NewSubscription());
        await ReceiptAsync(Paid(sub, user, Basic, P1Start, P1End, "subscription_create"));
        await App.WithServiceAsync<CreditDeductionResult, ICreditService>(c => c.DeductCreditsAsync(user, "video-generation", "veo2"));
        var renewal = Paid(sub, user, Basic, P1End, P2End);

        await ReceiptAsync(renewal);
        await ReceiptAsync(renewal);
        await ReceiptAsync(Paid(sub, user, Basic, P1End, P2End));

        Assert.Equal(100 + 50, await App.BalanceAsync(user)); // 85 unused: 50 carried, 35 expired
        Assert.Equal([-85L], await RolledOverExpirationsAsync(user)); // the ledger: the period's 85 ended, 50 granted again
        Assert.Equal([50L], (await CarriedRowsAsync(user)).Select(r => r.Amount));
        var lots = await App.DbAsync(db => db.Grants.Where(g => g.UserId == user && g.Remaining > 0).Select(g => new { g.Remaining, g.ExpiresAt }).ToListAsync());
        Assert.Equal(150L, lots.Sum(l => l.Remaining));
        Assert.All(lots, l => Assert.Equal(P2End.UtcDateTime.AddDays(3), l.ExpiresAt));
    }

    [Fact]
    public async Task Renewal_UnusedAllowanceUnderTheCap_CarriesItAll()
    {
        var (user, sub) = (NewUser(), NewSubscription());
        await ReceiptAsync(Paid(sub, user, Basic, P1Start, P1End, "subscription_create"));
        for (var i = 0; i < 4; i++)
        {
            await App.WithServiceAsync<CreditDeductionResult, ICreditService>(c => c.DeductCreditsAsync(user, "video-generation", "veo2"));
        }

        await ReceiptAsync(Paid(sub, user, Basic, P1End, P2End));

        Assert.Equal(100 + 40, await App.BalanceAsync(user));
        Assert.Equal([-40L], await RolledOverExpirationsAsync(user));
        Assert.Equal([40L], (await CarriedRowsAsync(user)).Select(r => r.Amount));
    }

    [Fact]
    public async Task Renewal_ExpirePolicy_CarriesNothing()
    {
        var (user, sub) = (NewUser(), NewSubscription());
        await ReceiptAsync(Paid(sub, user, Lite, P1Start, P1End, "subscription_create"));

        await ReceiptAsync(Paid(sub, user, Lite, P1End, P2End));

        Assert.Equal(40, await App.BalanceAsync(user));
        Assert.Equal(-40, await App.DbAsync(db => db.Transactions.Where(t => t.UserId == user && t.Type == CreditTransactionType.Expiration).SumAsync(t => t.Amount)));
    }

    [Fact]
    public async Task Renewal_CreditsOfAPackBought_AreNeverCarriedNorExpired()
    {
        var (user, sub) = (NewUser(), NewSubscription());
        await App.WithServiceAsync<CreditTransactionResult, ICreditService>(c => c.AddCreditsAsync(user, 500, CreditTransactionType.Purchase, "pack"));
        await ReceiptAsync(Paid(sub, user, Basic, P1Start, P1End, "subscription_create"));

        await ReceiptAsync(Paid(sub, user, Basic, P1End, P2End));

        Assert.Equal(500 + 100 + 50, await App.BalanceAsync(user));
    }
}

public sealed class SqliteSubscriptionEventOrderTests(SqliteCreditsDatabase database) : SubscriptionEventOrderTests<SqliteCreditsDatabase>(database);

public sealed class PostgresSubscriptionEventOrderTests(PostgresCreditsDatabase database) : SubscriptionEventOrderTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbSubscriptionEventOrderTests(MariaDbCreditsDatabase database) : SubscriptionEventOrderTests<MariaDbCreditsDatabase>(database);
