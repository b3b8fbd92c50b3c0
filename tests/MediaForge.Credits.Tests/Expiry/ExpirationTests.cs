using MediaForge.Credits.Entities;
using MediaForge.Credits.Storage;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace MediaForge.Credits.Tests.Expiry;

/// <summary>Expiring credits: lots consumed soonest-expiring first, remainder removed once at expiry, never spendable after it.</summary>
public abstract class ExpirationTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero));
    private ServiceProvider? services;

    private ServiceProvider Services => services ??= database.BuildServices(database.ConnectionString, o => o.BonusCreditLifetime = TimeSpan.FromDays(30), clock);

    private static string NewUser() => "user_" + Guid.NewGuid().ToString("N");

    private async Task<T> With<T, TService>(Func<TService, Task<T>> action)
        where TService : notnull
    {
        await using var scope = Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<TService>());
    }

    private Task<T> Credits<T>(Func<ICreditService, Task<T>> action) => With(action);

    private Task<CreditTransactionResult> GrantAsync(string user, long amount, TimeSpan? expiresIn = null) => expiresIn is { } span
        ? Credits(c => c.AddExpiringCreditsAsync(user, amount, CreditTransactionType.Purchase, "expiring", clock.GetUtcNow() + span))
        : Credits(c => c.AddCreditsAsync(user, amount, CreditTransactionType.Purchase, "forever"));

    private async Task<(long Balance, long LedgerSum, long Expired)> LedgerAsync(string user)
    {
        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CreditsDbContext>();
        var balance = await db.Accounts.Where(a => a.UserId == user).Select(a => a.Balance).SingleAsync();
        var rows = await db.Transactions.Where(t => t.UserId == user).Select(t => new { t.Amount, t.Type }).ToListAsync();
        return (balance, rows.Sum(r => r.Amount), rows.Where(r => r.Type == CreditTransactionType.Expiration).Sum(r => r.Amount));
    }

    [Fact]
    public async Task GetBalance_WithExpiringCredits_ShowsWhatExpiresNext()
    {
        var user = NewUser();
        await GrantAsync(user, 10);
        await GrantAsync(user, 7, TimeSpan.FromHours(2));
        await GrantAsync(user, 5, TimeSpan.FromHours(1));

        var balance = await Credits(c => c.GetBalanceAsync(user));

        Assert.Equal(22, balance.Balance);
        Assert.Equal(new CreditExpiration(5, clock.GetUtcNow().AddHours(1)), balance.NextExpiration);
    }

    [Fact]
    public async Task GetBalance_TwoLotsExpiringAtOneInstant_ShowsTheirSumExpiringNext()
    {
        var user = NewUser();
        await GrantAsync(user, 7, TimeSpan.FromHours(1));
        await GrantAsync(user, 5, TimeSpan.FromHours(1));

        var balance = await Credits(c => c.GetBalanceAsync(user));

        Assert.Equal(new CreditExpiration(12, clock.GetUtcNow().AddHours(1)), balance.NextExpiration);
    }

    [Fact]
    public async Task ExpiredCredits_BeforeTheSweeper_AreNotCountedOrSpendable()
    {
        var user = NewUser();
        await GrantAsync(user, 2);
        await GrantAsync(user, 20, TimeSpan.FromHours(1));
        clock.Advance(TimeSpan.FromHours(1));

        var balance = await Credits(c => c.GetBalanceAsync(user));
        var deduction = await Credits(c => c.DeductCreditsAsync(user, "image-generation", "default"));

        Assert.Equal((2L, 2L), (balance.Balance, balance.Available));
        Assert.Equal((CreditDeductionError.InsufficientCredits, 2L), (deduction.Error, deduction.RemainingBalance));
        var (actual, sum, expired) = await LedgerAsync(user);
        Assert.Equal((2L, 2L, -20L), (actual, sum, expired));
    }

    [Fact]
    public async Task Deduct_ConsumesTheSoonestExpiringCreditsFirst()
    {
        var user = NewUser();
        await GrantAsync(user, 10);
        await GrantAsync(user, 10, TimeSpan.FromHours(2));
        await GrantAsync(user, 10, TimeSpan.FromHours(1));
        await Credits(c => c.DeductCreditsAsync(user, "video-generation", "veo2"));

        // The 15 credits came from the lot expiring in an hour (all 10) and then the one in two hours (5): when the
        // first lapses nothing of it is left, and of the second only 5 lapse.
        clock.Advance(TimeSpan.FromHours(1));
        await Credits(c => c.ExpireCreditsAsync());
        Assert.Equal((15L, 15L, 0L), await LedgerAsync(user));
        clock.Advance(TimeSpan.FromHours(2));
        await Credits(c => c.ExpireCreditsAsync());
        Assert.Equal((10L, 10L, -5L), await LedgerAsync(user));
    }

    [Fact]
    public async Task ExpireCredits_RunTwiceAndAfterADeduction_RemovesTheRemainderOnce()
    {
        var user = NewUser();
        await GrantAsync(user, 30);
        await GrantAsync(user, 8, TimeSpan.FromMinutes(30));
        clock.Advance(TimeSpan.FromHours(1));

        await Credits(c => c.ExpireCreditsAsync());
        await Credits(c => c.ExpireCreditsAsync());
        await Credits(c => c.DeductCreditsAsync(user, "video-generation", "hailuo"));

        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CreditsDbContext>();
        Assert.Equal(1, await db.Transactions.CountAsync(t => t.UserId == user && t.Type == CreditTransactionType.Expiration));
        var (balance, sum, _) = await LedgerAsync(user);
        Assert.Equal((22L, 22L), (balance, sum));
    }

    [Fact]
    public async Task Deduct_RacingTheExpiry_NeverSpendsExpiredCredits()
    {
        var user = NewUser();
        await GrantAsync(user, 9);
        await GrantAsync(user, 15, TimeSpan.FromMinutes(1));
        clock.Advance(TimeSpan.FromMinutes(1));

        var deductions = Enumerable.Range(0, 10).Select(_ => Task.Run(() => Credits(c => c.DeductCreditsAsync(user, "image-generation", "default")))).ToList();
        var sweeps = Enumerable.Range(0, 3).Select(_ => Task.Run(() => Credits(c => c.ExpireCreditsAsync()))).ToList();
        var results = await Task.WhenAll(deductions);
        await Task.WhenAll(sweeps);

        Assert.Equal(3, results.Count(r => r.Success));
        var (balance, sum, expired) = await LedgerAsync(user);
        Assert.Equal((0L, 0L, -15L), (balance, sum, expired));
    }

    [Fact]
    public async Task HeldExpiringCredits_CapturedAfterExpiry_AreChargedNotExpired()
    {
        var user = NewUser();
        await GrantAsync(user, 15, TimeSpan.FromMinutes(10));
        var hold = await With<CreditReservationResult, ICreditReservationService>(h => h.ReserveCreditsAsync(user, "video-generation", "veo2", ttl: TimeSpan.FromMinutes(30)));
        clock.Advance(TimeSpan.FromMinutes(20));

        await Credits(c => c.ExpireCreditsAsync());
        var capture = await With<CreditReservationSettlement, ICreditReservationService>(h => h.CaptureReservationAsync(hold.ReservationId!.Value));
        await Credits(c => c.ExpireCreditsAsync());

        Assert.Equal(15, capture.CreditsCharged);
        var (balance, sum, expired) = await LedgerAsync(user);
        Assert.Equal((0L, 0L, 0L), (balance, sum, expired));
    }

    [Fact]
    public async Task HeldExpiringCredits_ReleasedAfterExpiry_ExpireThen()
    {
        var user = NewUser();
        await GrantAsync(user, 15, TimeSpan.FromMinutes(10));
        var hold = await With<CreditReservationResult, ICreditReservationService>(h => h.ReserveCreditsAsync(user, "video-generation", "veo2", ttl: TimeSpan.FromMinutes(30)));
        clock.Advance(TimeSpan.FromMinutes(20));

        await With<CreditReservationSettlement, ICreditReservationService>(h => h.ReleaseReservationAsync(hold.ReservationId!.Value));
        var balanceBeforeSweep = await Credits(c => c.GetBalanceAsync(user));
        await Credits(c => c.ExpireCreditsAsync());

        Assert.Equal(0, balanceBeforeSweep.Available);
        var (balance, sum, expired) = await LedgerAsync(user);
        Assert.Equal((0L, 0L, -15L), (balance, sum, expired));
    }

    [Fact]
    public async Task AddCredits_BonusWithConfiguredLifetime_Expires()
    {
        var user = NewUser();

        await Credits(c => c.AddCreditsAsync(user, 50, CreditTransactionType.Bonus, "welcome"));

        var balance = await Credits(c => c.GetBalanceAsync(user));
        Assert.Equal(new CreditExpiration(50, clock.GetUtcNow().AddDays(30)), balance.NextExpiration);
    }

    [Fact]
    public async Task AddCredits_Purchase_NeverExpires()
    {
        var user = NewUser();

        await GrantAsync(user, 200);

        Assert.Null((await Credits(c => c.GetBalanceAsync(user))).NextExpiration);
    }

    [Fact]
    public async Task ClaimFreePackage_WithConfiguredBonusLifetime_GrantsExpiringCredits()
    {
        var user = NewUser();

        await With<FreePackageClaimResult, ICreditPurchaseService>(p => p.ClaimFreePackageAsync(user, "starter"));

        Assert.Equal(new CreditExpiration(50, clock.GetUtcNow().AddDays(30)), (await Credits(c => c.GetBalanceAsync(user))).NextExpiration);
    }

    [Fact]
    public async Task AddExpiringCredits_ExpiryInThePast_Throws()
    {
        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() =>
            Credits(c => c.AddExpiringCreditsAsync(NewUser(), 5, CreditTransactionType.Bonus, "x", clock.GetUtcNow().AddSeconds(-1))));

        Assert.Equal("expiresAt", error.ParamName);
    }

    [Fact]
    public async Task DeductCredits_RightAfterTheLastLotLapsed_WritesItsLedgerRowAndUsageLog()
    {
        var user = NewUser();
        await GrantAsync(user, 10);
        await GrantAsync(user, 5, TimeSpan.FromHours(1));
        clock.Advance(TimeSpan.FromHours(2));

        // The first debit is refused (a lot lapsed unrecorded); the lapse is written and the debit runs again, with no lot left.
        var charged = await Credits(c => c.DeductCreditsAsync(user, "image-generation", "default"));

        Assert.Equal((true, 7L), (charged.Success, charged.RemainingBalance));
        Assert.Equal((7L, 7L, -5L), await LedgerAsync(user));
        Assert.Equal(1, await database.CountUsageAsync(user));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task DeductCredits_RefusedOnceTheLotLapsed_KeepsTheLapseItWrote(bool groupCommit)
    {
        var user = NewUser();
        await GrantAsync(user, 10, TimeSpan.FromHours(1));
        clock.Advance(TimeSpan.FromHours(2));
        await using var host = database.BuildServices(database.ConnectionString, o => o.CoalesceDeductions = groupCommit, clock);
        await using var scope = host.CreateAsyncScope();

        var refused = await scope.ServiceProvider.GetRequiredService<ICreditService>().DeductCreditsAsync(user, "image-generation", "default");

        Assert.Equal((false, CreditDeductionError.InsufficientCredits), (refused.Success, refused.Error));
        Assert.Equal((0L, 0L, -10L), await LedgerAsync(user));
    }
}

public sealed class SqliteExpirationTests(SqliteCreditsDatabase database) : ExpirationTests<SqliteCreditsDatabase>(database);

public sealed class PostgresExpirationTests(PostgresCreditsDatabase database) : ExpirationTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbExpirationTests(MariaDbCreditsDatabase database) : ExpirationTests<MariaDbCreditsDatabase>(database);
