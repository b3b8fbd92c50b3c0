using System.Text.Json;
using MediaForge.Credits.Storage;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace MediaForge.Credits.Tests.Expiry;

/// <summary>
/// Which expiring lot a debit takes, what the balance row says expires next, and what a lapse removes, observed before
/// anything expires (so the order shows): soonest expiry first, then the oldest lot; <c>next_expiry_at</c> follows the
/// soonest lot left; several lapsed lots are removed one after the other, never reaching credits under a hold.
/// </summary>
public abstract class LotOrderTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2027, 5, 3, 9, 0, 0, TimeSpan.Zero));
    private ServiceProvider? services;

    private ServiceProvider Services => services ??= database.BuildServices(database.ConnectionString, time: clock);

    [Fact]
    public async Task Deduct_TakesTheSoonestExpiringLotFirst_AndTheNextExpirationShowsWhatIsLeft()
    {
        var user = NewUser();
        await GrantAsync(user, 10);
        await GrantAsync(user, 10, TimeSpan.FromHours(2));
        await GrantAsync(user, 10, TimeSpan.FromHours(1));

        await Credits(c => c.DeductCreditsAsync(user, "video-generation", "veo2"));
        var balance = await Credits(c => c.GetBalanceAsync(user));

        Assert.Equal(new CreditExpiration(5, clock.GetUtcNow().AddHours(2)), balance.NextExpiration);
        Assert.Equal([0L, 5L], await RemainingByExpiryAsync(user));
    }

    [Fact]
    public async Task Deduct_LotsExpiringTogether_TakesTheOldestFirst()
    {
        var user = NewUser();
        var expiry = clock.GetUtcNow().AddHours(1);
        var older = await Credits(c => c.AddExpiringCreditsAsync(user, 10, CreditTransactionType.Bonus, "older", expiry));
        clock.Advance(TimeSpan.FromMinutes(1));
        var newer = await Credits(c => c.AddExpiringCreditsAsync(user, 10, CreditTransactionType.Bonus, "newer", expiry));

        await Credits(c => c.DeductCreditsAsync(user, "map-animation", "hailuo"));

        Assert.Equal(5, await RemainingOfAsync(older.TransactionId));
        Assert.Equal(10, await RemainingOfAsync(newer.TransactionId));
    }

    [Fact]
    public async Task Deduct_UsingUpTheSoonestLot_MovesTheBalanceRowsNextExpiryToTheNextLot()
    {
        var user = NewUser();
        await GrantAsync(user, 5, TimeSpan.FromHours(1));
        await GrantAsync(user, 5, TimeSpan.FromHours(2));
        await GrantAsync(user, 5, TimeSpan.FromHours(3));

        await Credits(c => c.DeductCreditsAsync(user, "map-animation", "hailuo"));

        Assert.Equal(clock.GetUtcNow().AddHours(2).UtcDateTime, await NextExpiryAtAsync(user));
    }

    [Fact]
    public async Task GetBalance_AtTheInstantALotExpires_TheNextExpirationIsTheLotAfterIt()
    {
        var balance = await BalanceAtTheInstantTheFirstOfTwoLotsExpiresAsync();

        Assert.Equal(new CreditExpiration(7, clock.GetUtcNow().AddHours(1)), balance.NextExpiration);
    }

    [Fact]
    public async Task GetBalance_AtTheInstantALotExpires_TheSplitLeavesItsCreditsOut()
    {
        var balance = await BalanceAtTheInstantTheFirstOfTwoLotsExpiresAsync();

        Assert.Equal((7L, 7L), (balance.Balance, balance.Categories[CreditCategory.Paid.Name]));
    }

    [Fact]
    public async Task ExpireCredits_SeveralLapsedLots_RemovesEachOnce_WithTheBalanceAfterEach()
    {
        var user = NewUser();
        await GrantAsync(user, 10);
        await GrantAsync(user, 5, TimeSpan.FromHours(1));
        await GrantAsync(user, 7, TimeSpan.FromMinutes(90));
        clock.Advance(TimeSpan.FromHours(2));

        var removed = await Credits(c => c.ExpireCreditsAsync());

        Assert.True(removed >= 12, $"removed {removed}");
        Assert.Equal([(-5L, 17L), (-7L, 10L)], await ExpirationRowsAsync(user));
        Assert.Equal((10L, 10L), Trim(await database.ReadLedgerAsync(user, Services)));
    }

    [Fact]
    public async Task ExpireCredits_SeveralLapsedLotsPartlyHeld_RemovesOnlyWhatNoHoldCovers()
    {
        var user = NewUser();
        await GrantAsync(user, 5, TimeSpan.FromHours(1));
        await GrantAsync(user, 7, TimeSpan.FromMinutes(90));
        var hold = await With<ICreditReservationService, CreditReservationResult>(r =>
            r.ReserveCreditsAsync(user, "video-generation", "hailuo", ttl: TimeSpan.FromHours(5)));
        Assert.True(hold.Success);
        clock.Advance(TimeSpan.FromHours(2));

        await Credits(c => c.ExpireCreditsAsync());

        Assert.Equal([(-4L, 8L)], await ExpirationRowsAsync(user));
        Assert.Equal((8L, 8L), Trim(await database.ReadLedgerAsync(user, Services)));
    }

    [Fact]
    public async Task ExpireCredits_LapsedLot_DescribesHowManyCreditsExpired()
    {
        var user = NewUser();
        await GrantAsync(user, 6, TimeSpan.FromHours(1));
        clock.Advance(TimeSpan.FromHours(2));

        await Credits(c => c.ExpireCreditsAsync());

        Assert.Equal(["6 credits expired"], await Db(db => db.Transactions
            .Where(t => t.UserId == user && t.Type == CreditTransactionType.Expiration).Select(t => t.Description).ToListAsync()));
    }

    [Fact]
    public async Task ExpireCredits_LapsedLot_RowNamesTheLotItsGrantAndWhenItExpired_NotARenewal()
    {
        var user = NewUser();
        await GrantAsync(user, 6, TimeSpan.FromHours(1));
        clock.Advance(TimeSpan.FromHours(2));

        await Credits(c => c.ExpireCreditsAsync());

        var metadata = await Db(db => db.Transactions.Where(t => t.UserId == user && t.Type == CreditTransactionType.Expiration).Select(t => t.Metadata).SingleAsync());
        using var json = JsonDocument.Parse(metadata!);
        Assert.Equal(["lotId", "grantedBy", "expiredAt"], json.RootElement.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task RecordRefund_PurchaseCreditsSpentBeforeAnExpiringGrant_TakesTheRestFromThatLot()
    {
        var (user, payment) = await SpentProThenTenExpiringAsync();

        await With<ICreditPurchaseService, PurchaseReversalResult>(p => p.RecordRefundAsync(payment, 2999));

        Assert.Equal([0L], await RemainingByExpiryAsync(user));                                                 // 5 + 10 taken
        Assert.Null((await Credits(c => c.GetBalanceAsync(user))).NextExpiration);
    }

    [Fact]
    public async Task RecordRefund_AfterALotLapsedUnswept_RecordsTheLapseFirstAndTakesBackOnlyWhatIsLeft()
    {
        var (user, payment) = await SpentProThenTenExpiringAsync();
        clock.Advance(TimeSpan.FromHours(2));                                                                   // the 10 lapsed, not swept

        await With<ICreditPurchaseService, PurchaseReversalResult>(p => p.RecordRefundAsync(payment, 2999));

        Assert.Equal([(-10L, 5L)], await ExpirationRowsAsync(user));
        Assert.Equal([-5L], await Db(db => db.Transactions.Where(t => t.UserId == user && t.Type == CreditTransactionType.Refund).Select(t => t.Amount).ToListAsync()));
    }

    [Fact]
    public async Task RecordRefund_OfAPackWithACreditLifetime_TakesThePacksOwnLotNotASoonerExpiringOne()
    {
        await Db(db => db.Packages.Where(p => p.Id == "enterprise").ExecuteUpdateAsync(s => s.SetProperty(p => p.CreditLifetimeDays, 30)));
        var user = NewUser();
        var soon = await GrantAsync(user, 10, TimeSpan.FromHours(1));                                             // first in the burn order
        var session = "cs_test_" + Guid.NewGuid().ToString("N");
        var payment = "pi_test_" + Guid.NewGuid().ToString("N");
        var purchase = await With<ICreditPurchaseService, CreditPurchaseEntry>(p => p.StartPurchaseAsync(user, "enterprise", "stripe"));
        await With<ICreditPurchaseService, bool>(async p => { await p.AttachSessionAsync(purchase.Id, session); return true; });
        await With<ICreditPurchaseService, PurchaseFulfilmentResult>(p => p.CompletePurchaseAsync(session, 9999, "usd", "enterprise", payment));
        Assert.Equal([10L, 1000L], await RemainingByExpiryAsync(user));                                        // the pack's lot expires in 30 days

        await With<ICreditPurchaseService, PurchaseReversalResult>(p => p.RecordRefundAsync(payment, 9999));

        Assert.Equal(10, await RemainingOfAsync(soon.TransactionId));
        Assert.Equal([10L, 0L], await RemainingByExpiryAsync(user));
        Assert.Equal(10, (await Credits(c => c.GetBalanceAsync(user))).Balance);
    }

    /// <summary>A user who bought the pro pack (200), spent 195 of it, then got 10 credits expiring in an hour: balance 15.</summary>
    private async Task<(string User, string Payment)> SpentProThenTenExpiringAsync()
    {
        var user = NewUser();
        var payment = await BuyProAsync(user);
        for (var i = 0; i < 13; i++)
        {
            Assert.True((await Credits(c => c.DeductCreditsAsync(user, "video-generation", "veo2"))).Success);
        }

        await GrantAsync(user, 10, TimeSpan.FromHours(1));
        return (user, payment);
    }

    private async Task<string> BuyProAsync(string user)
    {
        var session = "cs_test_" + Guid.NewGuid().ToString("N");
        var payment = "pi_test_" + Guid.NewGuid().ToString("N");
        var purchase = await With<ICreditPurchaseService, CreditPurchaseEntry>(p => p.StartPurchaseAsync(user, "pro", "stripe"));
        await With<ICreditPurchaseService, bool>(async p => { await p.AttachSessionAsync(purchase.Id, session); return true; });
        await With<ICreditPurchaseService, PurchaseFulfilmentResult>(p => p.CompletePurchaseAsync(session, 2999, "usd", "pro", payment));
        return payment;
    }

    private static string NewUser() => "lots_" + Guid.NewGuid().ToString("N");

    private static (long, long) Trim((long Balance, long Sum, int Rows) ledger) => (ledger.Balance, ledger.Sum);

    /// <summary>The balance of a user with lots of 5 and 7 expiring in 1 and 2 hours, read 1 hour later.</summary>
    private async Task<CreditBalance> BalanceAtTheInstantTheFirstOfTwoLotsExpiresAsync()
    {
        var user = NewUser();
        await GrantAsync(user, 5, TimeSpan.FromHours(1));
        await GrantAsync(user, 7, TimeSpan.FromHours(2));
        clock.Advance(TimeSpan.FromHours(1));
        return await Credits(c => c.GetBalanceAsync(user));
    }

    private Task<CreditTransactionResult> GrantAsync(string user, long amount, TimeSpan? expiresIn = null) => expiresIn is { } span
        ? Credits(c => c.AddExpiringCreditsAsync(user, amount, CreditTransactionType.Purchase, "expiring", clock.GetUtcNow() + span))
        : Credits(c => c.AddCreditsAsync(user, amount, CreditTransactionType.Purchase, "forever"));

    private Task<T> Credits<T>(Func<ICreditService, Task<T>> action) => With(action);

    private async Task<T> With<TService, T>(Func<TService, Task<T>> action)
        where TService : notnull
    {
        await using var scope = Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<TService>());
    }

    private Task<T> Db<T>(Func<CreditsDbContext, Task<T>> query) => With(query);

    private Task<List<long>> RemainingByExpiryAsync(string user) =>
        Db(db => db.Grants.Where(g => g.UserId == user).OrderBy(g => g.ExpiresAt).Select(g => g.Remaining).ToListAsync());

    private Task<long> RemainingOfAsync(Guid transactionId) =>
        Db(db => db.Grants.Where(g => g.TransactionId == transactionId).Select(g => g.Remaining).SingleAsync());

    private Task<DateTime?> NextExpiryAtAsync(string user) =>
        Db(db => db.Accounts.Where(a => a.UserId == user).Select(a => a.NextExpiryAt).SingleAsync());

    private async Task<List<(long Amount, long BalanceAfter)>> ExpirationRowsAsync(string user) =>
        (await Db(db => db.Transactions.Where(t => t.UserId == user && t.Type == CreditTransactionType.Expiration)
            .OrderBy(t => t.BalanceAfter).Select(t => new { t.Amount, t.BalanceAfter }).ToListAsync()))
        .OrderByDescending(r => r.BalanceAfter).Select(r => (r.Amount, r.BalanceAfter)).ToList();
}

public sealed class SqliteLotOrderTests(SqliteCreditsDatabase database) : LotOrderTests<SqliteCreditsDatabase>(database);

public sealed class PostgresLotOrderTests(PostgresCreditsDatabase database) : LotOrderTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbLotOrderTests(MariaDbCreditsDatabase database) : LotOrderTests<MariaDbCreditsDatabase>(database);
