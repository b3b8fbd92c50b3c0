using MediaForge.Credits.Entities;
using MediaForge.Credits.Storage;
using MediaForge.Credits.Teams;
using MediaForge.Credits.Tests.Analytics;
using MediaForge.Credits.Tests.Infrastructure;
using MediaForge.Credits.Tests.Teams;
using MediaForge.Credits.TopUps;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static MediaForge.Credits.Tests.TopUps.TopUpScenario;

namespace MediaForge.Credits.Tests.TopUps;

/// <summary>
/// A wallet's auto top-up settings as the add-on's endpoints see them: the read (defaults, the month's counts), who may
/// change a team wallet's, the packs a save accepts, and the payment method saved from a checkout.
/// </summary>
public abstract class AutoTopUpSettingsTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private ServiceProvider? services;

    private ServiceProvider Services => services ??= Build(database);

    private async Task<T> SettingsDo<T>(IServiceProvider provider, Func<CreditAutoTopUps, Task<T>> action)
    {
        await using var scope = provider.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<CreditAutoTopUps>());
    }

    private Task<CreditAutoTopUpError> SaveAsync(string wallet, string package, long maxAmount = 100_000, bool enabled = true) =>
        SettingsDo(Services, s => s.SaveAsync(wallet, new CreditAutoTopUpChange(enabled, Threshold, package, 5, maxAmount), default));

    private async Task AddPackageAsync(CreditPackage package)
    {
        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CreditsDbContext>();
        db.Add(package);
        await db.SaveChangesAsync();
    }

    [Fact]
    public async Task Read_WalletWithoutSettings_IsOffWithNoPackAndNothingCounted()
    {
        var wallet = NewWallet();

        var settings = await SettingsAsync(Services, wallet);

        Assert.Equal(new CreditAutoTopUpSettings(wallet, false, 0, null, 0, 0, "usd", 0, 0, false, false, 0, 0, 0), settings);
    }

    [Fact]
    public async Task Read_AfterASave_ShowsThePackItsPriceAndTheCaps()
    {
        var wallet = NewWallet();
        await EnableAsync(Services, wallet, 0, maxPerMonth: 4, maxAmount: 20_000);

        var settings = await SettingsAsync(Services, wallet);

        Assert.Equal(new CreditAutoTopUpSettings(wallet, true, Threshold, "pro", PackCredits, PackPrice, "usd", 4, 20_000, true, false, 0, 0, 0), settings);
    }

    [Fact]
    public async Task Read_InTheMonthOfATopUp_ShowsItsCountAndMoney_TheNextMonthShowsNone()
    {
        var clock = new SettableClock(new DateTimeOffset(2026, 3, 10, 12, 0, 0, TimeSpan.Zero));
        var timed = Build(database, clock);
        var wallet = NewWallet();
        await EnableAsync(timed, wallet, 1);
        await CrossAsync(timed, wallet);

        var march = await SettingsAsync(timed, wallet);
        clock.SetUtcNow(new DateTimeOffset(2026, 4, 1, 0, 0, 0, TimeSpan.Zero));
        var april = await SettingsAsync(timed, wallet);

        Assert.Equal((1, PackPrice), (march.MonthCount, march.MonthAmountCents));
        Assert.Equal((0, 0L), (april.MonthCount, april.MonthAmountCents));
    }

    [Theory]
    [InlineData("no-such-pack")]
    [InlineData(CreditsDefaults.StarterPackageId)]
    public async Task Save_UnknownOrFreePack_IsRefusedAndSavesNothing(string package)
    {
        var wallet = NewWallet();

        Assert.Equal(CreditAutoTopUpError.PackageNotFound, await SaveAsync(wallet, package));

        Assert.False((await SettingsAsync(Services, wallet)).Enabled);
    }

    [Fact]
    public async Task Save_PackNoLongerSold_IsRefused()
    {
        var package = "retired_" + Guid.NewGuid().ToString("N")[..8];
        await AddPackageAsync(new CreditPackage { Id = package, Name = "Retired", Credits = 10, PriceCents = 500, Currency = "usd", IsActive = false });

        Assert.Equal(CreditAutoTopUpError.PackageNotFound, await SaveAsync(NewWallet(), package));
    }

    [Fact]
    public async Task Save_PaidPackPricedAtZero_IsRefused()
    {
        var package = "zero_" + Guid.NewGuid().ToString("N")[..8];
        await AddPackageAsync(new CreditPackage { Id = package, Name = "Zero", Credits = 10, PriceCents = 0, Currency = "usd" });

        Assert.Equal(CreditAutoTopUpError.PackageNotFound, await SaveAsync(NewWallet(), package));
    }

    [Fact]
    public async Task Save_PackInAnUpperCaseCurrency_StoresTheCurrencyInLowerCase()
    {
        var package = "eur_" + Guid.NewGuid().ToString("N")[..8];
        await AddPackageAsync(new CreditPackage { Id = package, Name = "Euro", Credits = 10, PriceCents = 900, Currency = "EUR" });
        var (first, again) = (NewWallet(), NewWallet());
        await SaveAsync(again, "pro");

        Assert.Equal(CreditAutoTopUpError.None, await SaveAsync(first, package));
        Assert.Equal(CreditAutoTopUpError.None, await SaveAsync(again, package)); // the update of an existing row

        Assert.Equal(("eur", "eur"), ((await SettingsAsync(Services, first)).Currency, (await SettingsAsync(Services, again)).Currency));
    }

    [Fact]
    public async Task Save_MonthlyMoneyCapBelowThePacksPrice_IsRefused_AtThePriceIsSaved()
    {
        var wallet = NewWallet();

        Assert.Equal(CreditAutoTopUpError.CapBelowPrice, await SaveAsync(wallet, "pro", maxAmount: PackPrice - 1));
        Assert.False((await SettingsAsync(Services, wallet)).Enabled);
        Assert.Equal(CreditAutoTopUpError.None, await SaveAsync(wallet, "pro", maxAmount: PackPrice));
        Assert.True((await SettingsAsync(Services, wallet)).Enabled);
    }

    [Fact]
    public async Task SavePaymentMethod_BeforeAnySettings_KeepsItWithAutoTopUpStillOff()
    {
        var wallet = NewWallet();

        await SettingsDo(Services, async s => { await s.SavePaymentMethodAsync(wallet, "cus_1", "pm_1", default); return 0; });

        var settings = await SettingsAsync(Services, wallet);
        Assert.Equal((true, false, null), (settings.HasPaymentMethod, settings.Enabled, settings.PackageId));
    }

    [Fact]
    public async Task SavePaymentMethod_BeforeAnySettings_ReadsAsAWalletWithoutSettingsThatHasACard()
    {
        var wallet = NewWallet();

        await SettingsDo(Services, async s => { await s.SavePaymentMethodAsync(wallet, "cus_1", "pm_1", default); return 0; });

        var none = await SettingsAsync(Services, NewWallet());
        Assert.Equal(none with { WalletId = wallet, HasPaymentMethod = true }, await SettingsAsync(Services, wallet));
    }

    [Fact]
    public async Task SavePaymentMethod_InTheCallersTransaction_InsertsOnceAndTheTransactionCommits()
    {
        var wallet = NewWallet();

        await using (var scope = Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<CreditsDbContext>();
            await using var transaction = await db.Database.BeginTransactionAsync();
            await scope.ServiceProvider.GetRequiredService<CreditAutoTopUps>().SavePaymentMethodAsync(wallet, "cus_1", "pm_1", default);
            await transaction.CommitAsync();
        }

        var settings = await SettingsAsync(Services, wallet);
        Assert.Equal((true, false), (settings.HasPaymentMethod, settings.Enabled));
    }

    [Fact]
    public async Task SavePaymentMethod_TwoCallersTransactionsRacingForTheFirstRow_BothCommit()
    {
        var wallet = NewWallet();
        await using var first = Services.CreateAsyncScope();
        var firstDb = first.ServiceProvider.GetRequiredService<CreditsDbContext>();
        await using var firstTransaction = await firstDb.Database.BeginTransactionAsync();
        await first.ServiceProvider.GetRequiredService<CreditAutoTopUps>().SavePaymentMethodAsync(wallet, "cus_1", "pm_1", default);

        var second = Task.Run(async () =>
        {
            await using var scope = Services.CreateAsyncScope();
            await using var transaction = await scope.ServiceProvider.GetRequiredService<CreditsDbContext>().Database.BeginTransactionAsync();
            await scope.ServiceProvider.GetRequiredService<CreditAutoTopUps>().SavePaymentMethodAsync(wallet, "cus_2", "pm_2", default);
            await transaction.CommitAsync();
        });
        await Task.Delay(200); // lets the second reach the first's uncommitted row where it can (PostgreSQL: its insert waits on the key)
        await firstTransaction.CommitAsync();
        await second;

        Assert.True((await SettingsAsync(Services, wallet)).HasPaymentMethod);
    }

    [Fact]
    public async Task SavePaymentMethod_AfterTheSettings_KeepsThem()
    {
        var wallet = NewWallet();
        await EnableAsync(Services, wallet, 0, paymentMethod: false);

        await SettingsDo(Services, async s => { await s.SavePaymentMethodAsync(wallet, "cus_2", "pm_2", default); return 0; });

        var settings = await SettingsAsync(Services, wallet);
        Assert.Equal((true, true, "pro", Threshold), (settings.HasPaymentMethod, settings.Enabled, settings.PackageId, settings.Threshold));
    }

    [Fact]
    public async Task Save_TwentyConcurrentFirstSavesAndPaymentMethods_AllLandOnOneRow()
    {
        var wallet = NewWallet();

        var saves = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(async () =>
        {
            if (i % 2 == 0)
            {
                return await SaveAsync(wallet, "pro");
            }

            await SettingsDo(Services, async s => { await s.SavePaymentMethodAsync(wallet, "cus_r", "pm_r", default); return 0; });
            return CreditAutoTopUpError.None;
        })));

        Assert.All(saves, s => Assert.Equal(CreditAutoTopUpError.None, s));
        var settings = await SettingsAsync(Services, wallet);
        Assert.Equal((true, "pro", true), (settings.Enabled, settings.PackageId, settings.HasPaymentMethod));
    }

    [Fact]
    public async Task SaveAndSavePaymentMethod_BothInsertingTheFirstRowAtOnce_BothLand()
    {
        await using var gated = Build(database, interceptor: new FirstSettingsInsertsGate());
        var wallet = NewWallet();

        await Task.WhenAll(
            Task.Run(() => SettingsDo(gated, s => s.SaveAsync(wallet, new CreditAutoTopUpChange(true, Threshold, "pro", 5, 100_000), default))),
            Task.Run(() => SettingsDo(gated, async s => { await s.SavePaymentMethodAsync(wallet, "cus_g", "pm_g", default); return CreditAutoTopUpError.None; })));

        var settings = await SettingsAsync(gated, wallet);
        Assert.Equal((true, "pro", true), (settings.Enabled, settings.PackageId, settings.HasPaymentMethod));
    }

    [Fact]
    public async Task CheckTeam_OwnerAndAdmin_MayChangeTheWalletsSettings_AMemberMayNot()
    {
        var setup = new TeamSetup(database);
        var (teamId, owner) = await setup.TeamAsync();
        var admin = await setup.MemberAsync(teamId, owner, CreditTeamRole.Admin);
        var member = await setup.MemberAsync(teamId, owner);

        var answers = new List<CreditAutoTopUpError>();
        foreach (var actor in new[] { owner, admin, member })
        {
            answers.Add(await SettingsDo(setup.Services, s => s.CheckTeamAsync(actor, teamId, default)));
        }

        Assert.Equal([CreditAutoTopUpError.None, CreditAutoTopUpError.None, CreditAutoTopUpError.Forbidden], answers);
    }

    [Fact]
    public async Task CheckTeam_UnknownTeamStrangerRemovedAdminOrFrozenTeam_IsTeamNotFound()
    {
        var setup = new TeamSetup(database);
        var (teamId, owner) = await setup.TeamAsync();
        var admin = await setup.MemberAsync(teamId, owner, CreditTeamRole.Admin);
        Assert.True((await setup.Teams(t => t.RemoveMemberAsync(teamId, owner, admin))).Success);
        var (frozen, frozenOwner) = await setup.TeamAsync();
        await setup.WithContextAsync(db => db.Set<CreditTeamRow>().Where(t => t.Id == frozen)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.Status, CreditTeamStatus.Frozen)));

        var answers = new List<CreditAutoTopUpError>();
        foreach (var (actor, team) in new[] { (owner, TeamSetup.NewTeamId()), (TeamSetup.NewUser("stranger"), teamId), (admin, teamId), (frozenOwner, frozen) })
        {
            answers.Add(await SettingsDo(setup.Services, s => s.CheckTeamAsync(actor, team, default)));
        }

        Assert.All(answers, a => Assert.Equal(CreditAutoTopUpError.TeamNotFound, a));
    }
}

public sealed class SqliteAutoTopUpSettingsTests(SqliteCreditsDatabase database) : AutoTopUpSettingsTests<SqliteCreditsDatabase>(database);

public sealed class PostgresAutoTopUpSettingsTests(PostgresCreditsDatabase database) : AutoTopUpSettingsTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbAutoTopUpSettingsTests(MariaDbCreditsDatabase database) : AutoTopUpSettingsTests<MariaDbCreditsDatabase>(database);
