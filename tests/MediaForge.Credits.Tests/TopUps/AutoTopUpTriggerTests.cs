using MediaForge.Credits.Storage;
using MediaForge.Credits.Tests.Infrastructure;
using MediaForge.Credits.TopUps;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static MediaForge.Credits.Tests.TopUps.TopUpScenario;

namespace MediaForge.Credits.Tests.TopUps;

/// <summary>
/// The trigger: one top-up per crossing of the wallet's threshold, written in the crossing debit's transaction, never
/// one per deduction, and never past the month's count or money cap, whatever the concurrency.
/// </summary>
public abstract class AutoTopUpTriggerTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private ServiceProvider? services;

    private ServiceProvider Services => services ??= Build(database);

    [Fact]
    public async Task Deduct_CrossingTheThreshold_CreatesOnePendingTopUpOfThePack()
    {
        var wallet = NewWallet();
        await EnableAsync(Services, wallet, 12);

        await DeductAsync(Services, wallet); // 9

        var topUp = Assert.Single(await TopUpsAsync(Services, wallet));
        Assert.Equal((CreditTopUpStatus.Pending, "pro", PackCredits, PackPrice, "usd", "cus_" + wallet, "pm_" + wallet),
            (topUp.Status, topUp.PackageId, topUp.Credits, topUp.AmountCents, topUp.Currency, topUp.CustomerId, topUp.PaymentMethodId));
    }

    [Fact]
    public async Task Deduct_AgainBelowTheThreshold_CreatesNoSecondTopUp()
    {
        var wallet = NewWallet();
        await EnableAsync(Services, wallet, 12);

        for (var i = 0; i < 3; i++)
        {
            await DeductAsync(Services, wallet); // 9, 6, 3
        }

        Assert.Single(await TopUpsAsync(Services, wallet));
    }

    [Fact]
    public async Task Deduct_StayingAtOrAboveTheThreshold_CreatesNoTopUp()
    {
        var wallet = NewWallet();
        await EnableAsync(Services, wallet, 13);

        await DeductAsync(Services, wallet); // 10

        Assert.Empty(await TopUpsAsync(Services, wallet));
    }

    [Fact]
    public async Task Deduct_EndingExactlyAtTheThresholdWhileAnotherWalletsIsHigher_CreatesNoTopUp()
    {
        var (higher, wallet) = (NewWallet(), NewWallet());
        await SaveSettingsAsync(Services, higher, enabled: true, Threshold + 50); // the highest threshold: this wallet's debit reaches the trigger
        try
        {
            await EnableAsync(Services, wallet, 13);

            await DeductAsync(Services, wallet); // 10

            Assert.Empty(await TopUpsAsync(Services, wallet));
        }
        finally
        {
            await SaveSettingsAsync(Services, higher, enabled: false, Threshold + 50); // the other tests of this class expect no threshold above 10
        }
    }

    [Theory]
    [InlineData(false, true)]
    [InlineData(true, false)]
    public async Task Deduct_CrossingWhileOffOrWithoutAPaymentMethod_CreatesNoTopUp(bool enabled, bool paymentMethod)
    {
        var wallet = NewWallet();
        await EnableAsync(Services, wallet, 12, enabled: enabled, paymentMethod: paymentMethod);

        await DeductAsync(Services, wallet);

        Assert.Empty(await TopUpsAsync(Services, wallet));
    }

    [Fact]
    public async Task Deduct_TwentyConcurrentDeductionsCrossingTogether_OneTopUp()
    {
        var wallet = NewWallet();
        await EnableAsync(Services, wallet, 30);

        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => DeductAsync(Services, wallet))));

        Assert.Equal(10, results.Count(r => r.Success));
        Assert.Single(await TopUpsAsync(Services, wallet));
    }

    [Fact]
    public async Task Crossings_HundredConcurrent_NeverMoreTopUpsThanTheMonthlyCount()
    {
        var wallet = NewWallet();
        await EnableAsync(Services, wallet, 1, maxPerMonth: 4);

        await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => Task.Run(() => CrossAsync(Services, wallet))));

        Assert.Equal(4, (await TopUpsAsync(Services, wallet)).Count);
        var settings = await SettingsAsync(Services, wallet);
        Assert.Equal((4, 4 * PackPrice), (settings.MonthCount, settings.MonthAmountCents));
    }

    [Fact]
    public async Task Crossings_HundredConcurrent_NeverMoreMoneyThanTheMonthlyCap()
    {
        var wallet = NewWallet();
        await EnableAsync(Services, wallet, 1, maxPerMonth: 100, maxAmount: 3 * PackPrice + PackPrice - 1);

        await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => Task.Run(() => CrossAsync(Services, wallet))));

        var topUps = await TopUpsAsync(Services, wallet);
        Assert.Equal(3, topUps.Count);
        Assert.True(topUps.Sum(t => t.AmountCents) <= 4 * PackPrice - 1);
    }

    [Fact]
    public async Task Crossings_MoneyCapOfExactlyTwoPacks_TopsUpTwice()
    {
        var wallet = NewWallet();
        await EnableAsync(Services, wallet, 1, maxPerMonth: 10, maxAmount: 2 * PackPrice);

        for (var i = 0; i < 3; i++)
        {
            await CrossAsync(Services, wallet);
        }

        Assert.Equal(2, (await TopUpsAsync(Services, wallet)).Count);
    }

    [Fact]
    public async Task Deduct_WalletSavedAboveTheCachedHighestThreshold_TopsUpWithoutWaitingForTheCache()
    {
        var cached = database.BuildServices(database.ConnectionString, o => o.AutoTopUp.SettingsCacheDuration = TimeSpan.FromHours(1));
        var (primer, wallet) = (NewWallet(), NewWallet());
        await database.WithCreditsAsync(c => c.AddCreditsAsync(primer, 300, CreditTransactionType.Purchase, "pack"), cached);
        await DeductAsync(cached, primer); // reads and caches the highest threshold of the wallets with auto top-up on
        await database.WithCreditsAsync(c => c.AddCreditsAsync(wallet, 1_000_000_001, CreditTransactionType.Purchase, "pack"), cached);
        await SaveSettingsAsync(cached, wallet, enabled: true, CreditAutoTopUps.MaxThreshold);
        await using (var scope = cached.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<CreditAutoTopUps>().SavePaymentMethodAsync(wallet, "cus_x", "pm_x", default);
        }

        try
        {
            await DeductAsync(cached, wallet); // 999,999,998: below the new threshold

            Assert.Single(await TopUpsAsync(cached, wallet));
        }
        finally
        {
            // Off again: the other tests of this class share the database and expect no threshold above 10.
            await SaveSettingsAsync(cached, wallet, enabled: false, CreditAutoTopUps.MaxThreshold);
        }
    }

    [Fact]
    public async Task Capture_CrossingTheThreshold_CreatesATopUp()
    {
        var wallet = NewWallet();
        await EnableAsync(Services, wallet, 12);
        await using var scope = Services.CreateAsyncScope();
        var holds = scope.ServiceProvider.GetRequiredService<ICreditReservationService>();
        var hold = await holds.ReserveCreditsAsync(wallet, "image-generation", "default");

        await holds.CaptureReservationAsync(hold.ReservationId!.Value);

        Assert.Single(await TopUpsAsync(Services, wallet));
    }

    [Fact]
    public async Task Deduct_InTheHostsTransactionRolledBack_LeavesNoTopUpAndNothingCounted()
    {
        var wallet = NewWallet();
        await EnableAsync(Services, wallet, 12);
        await using (var scope = Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<CreditsDbContext>();
            await using var transaction = await db.Database.BeginTransactionAsync();
            Assert.True((await scope.ServiceProvider.GetRequiredService<ICreditService>().DeductCreditsAsync(wallet, "image-generation", "default")).Success);
            await transaction.RollbackAsync();
        }

        Assert.Empty(await TopUpsAsync(Services, wallet));
        Assert.Equal(0, (await SettingsAsync(Services, wallet)).MonthCount);
    }

    [Fact]
    public async Task Deduct_NoWalletHasAutoTopUp_RunsNoStatementOnTheSettingsAfterTheFirstRead()
    {
        var counter = new SettingsStatementCounter();
        var cached = database.BuildServices(database.ConnectionString, o => o.AutoTopUp.SettingsCacheDuration = TimeSpan.FromHours(1),
            configureContext: c => c.AddInterceptors(counter));
        var wallet = NewWallet();
        await database.WithCreditsAsync(c => c.AddCreditsAsync(wallet, 300, CreditTransactionType.Purchase, "pack"), cached);
        await DeductAsync(cached, wallet);
        var afterFirst = counter.Count;

        for (var i = 0; i < 20; i++)
        {
            await DeductAsync(cached, wallet);
        }

        Assert.True(afterFirst <= 1, $"{afterFirst} statements on the settings for the first deduction");
        Assert.Equal(afterFirst, counter.Count);
    }

    [Fact]
    public async Task Deduct_LeavingMoreThanEveryThreshold_RunsNoStatementOnTheSettings()
    {
        var counter = new SettingsStatementCounter();
        var cached = database.BuildServices(database.ConnectionString, o => o.AutoTopUp.SettingsCacheDuration = TimeSpan.FromHours(1),
            configureContext: c => c.AddInterceptors(counter));
        await EnableAsync(cached, NewWallet(), 0); // some wallet has auto top-up at 10
        var rich = NewWallet();
        await database.WithCreditsAsync(c => c.AddCreditsAsync(rich, 300, CreditTransactionType.Purchase, "pack"), cached);
        await DeductAsync(cached, rich);
        var before = counter.Count;

        for (var i = 0; i < 20; i++)
        {
            await DeductAsync(cached, rich);
        }

        Assert.Equal(before, counter.Count);
    }
}

public sealed class SqliteAutoTopUpTriggerTests(SqliteCreditsDatabase database) : AutoTopUpTriggerTests<SqliteCreditsDatabase>(database);

public sealed class PostgresAutoTopUpTriggerTests(PostgresCreditsDatabase database) : AutoTopUpTriggerTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbAutoTopUpTriggerTests(MariaDbCreditsDatabase database) : AutoTopUpTriggerTests<MariaDbCreditsDatabase>(database);
