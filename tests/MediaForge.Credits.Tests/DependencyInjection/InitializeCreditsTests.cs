using MediaForge.Credits.Entities;
using MediaForge.Credits.Storage;
using MediaForge.Credits.Storage.Schema;
using MediaForge.Credits.Tests.Storage.Schema;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MediaForge.Credits.Tests.DependencyInjection;

/// <summary><c>InitializeCreditsAsync</c> (the seed's <c>credits:setup</c>) on each real database.</summary>
public abstract class InitializeCreditsTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private async Task<ServiceProvider> FreshServicesAsync() =>
        database.BuildServices(await database.CreateDatabaseAsync());

    [Fact]
    public async Task InitializeCredits_FreshDatabase_SeedsTheDefaultPrices()
    {
        var services = await FreshServicesAsync();

        var report = await services.InitializeCreditsAsync(createSchema: true);

        Assert.True(report.SchemaCreated);
        Assert.True(report.IsReady);
        await using var scope = services.CreateAsyncScope();
        var prices = await scope.ServiceProvider.GetRequiredService<ICreditCatalog>().GetFeaturePricesAsync();
        Assert.Equal(
            [("image-generation", "default", 3L), ("map-animation", "hailuo", 5L), ("map-animation", "veo2", 10L),
             ("video-generation", "hailuo", 8L), ("video-generation", "veo2", 15L)],
            prices.Select(p => (p.Feature, p.Model, p.Credits)));
    }

    [Fact]
    public async Task InitializeCredits_FreshDatabase_SeedsTheDefaultPackages()
    {
        var services = await FreshServicesAsync();

        await services.InitializeCreditsAsync(createSchema: true);

        await using var scope = services.CreateAsyncScope();
        var packages = await scope.ServiceProvider.GetRequiredService<ICreditCatalog>().GetPackagesAsync();
        Assert.Equal(
            [("starter", 50L, 0L, "usd", true, true, false), ("pro", 200L, 2999L, "usd", false, false, true), ("enterprise", 1000L, 9999L, "usd", false, false, false)],
            packages.Select(p => (p.Id, p.Credits, p.PriceCents, p.Currency, p.IsFree, p.OncePerUser, p.MostPopular)));
    }

    [Fact]
    public async Task InitializeCredits_SecondRun_InsertsNothingAndKeepsEditedRows()
    {
        var services = await FreshServicesAsync();
        await services.InitializeCreditsAsync(createSchema: true);
        await using (var scope = services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<CreditsDbContext>();
            await db.FeaturePricing.Where(p => p.Feature == "video-generation" && p.Model == "veo2")
                .ExecuteUpdateAsync(u => u.SetProperty(p => p.Credits, 20));
            // Tracked: MariaDB before 11.6 rejects the DELETE ... AS alias that ExecuteDeleteAsync writes.
            db.Packages.Remove(await db.Packages.SingleAsync(p => p.Id == "pro"));
            await db.SaveChangesAsync();
        }

        var second = await services.InitializeCreditsAsync(createSchema: true);

        Assert.False(second.SchemaCreated);
        Assert.Equal(["pro"], second.PackagesInserted);
        Assert.Empty(second.PricesInserted);
        await using var check = services.CreateAsyncScope();
        Assert.Equal(20, await check.ServiceProvider.GetRequiredService<ICreditCatalog>().GetPriceAsync("video-generation", "veo2"));
    }

    [Fact]
    public async Task InitializeCredits_EightInstancesAtOnce_CreateOneSchemaAndSeedOnce()
    {
        var connectionString = await database.CreateDatabaseAsync();
        var instances = Enumerable.Range(0, 8).Select(_ => database.BuildServices(connectionString)).ToList();

        var reports = await Task.WhenAll(instances.Select(s => Task.Run(() => s.InitializeCreditsAsync(createSchema: true))));

        Assert.Single(reports, r => r.SchemaCreated);
        Assert.Equal(CreditsSchema.CurrentVersion, await UpgradeHost.RecordedVersionAsync(database, connectionString));
        Assert.Equal(3, reports.Sum(r => r.PackagesInserted.Count));
        Assert.Equal(5, reports.Sum(r => r.PricesInserted.Count));
        Assert.All(reports, r => Assert.True(r.IsReady));
        await using var scope = instances[0].CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CreditsDbContext>();
        Assert.Equal(3, await db.Packages.CountAsync());
        Assert.Equal(5, await db.FeaturePricing.CountAsync());
    }

    [Fact]
    public async Task InitializeCredits_NoPricesConfigured_ReportsTheProblem()
    {
        var services = database.BuildServices(await database.CreateDatabaseAsync(), o => o.DefaultFeaturePricing.Clear());

        var report = await services.InitializeCreditsAsync(createSchema: true);

        Assert.False(report.IsReady);
        Assert.Contains(report.Problems, p => p.Contains("No active feature prices", StringComparison.Ordinal));
    }

    [Fact]
    public async Task InitializeCredits_ConfiguredAdmins_AreCountedInTheReport()
    {
        var services = database.BuildServices(await database.CreateDatabaseAsync(), o => o.AdminUserIds.Add("user_admin"));

        var report = await services.InitializeCreditsAsync(createSchema: true);

        Assert.Equal(1, report.AdminUsers);
    }
}

public sealed class SqliteInitializeCreditsTests(SqliteCreditsDatabase database) : InitializeCreditsTests<SqliteCreditsDatabase>(database);

public sealed class PostgresInitializeCreditsTests(PostgresCreditsDatabase database) : InitializeCreditsTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbInitializeCreditsTests(MariaDbCreditsDatabase database) : InitializeCreditsTests<MariaDbCreditsDatabase>(database)
{
    private readonly MariaDbCreditsDatabase server = database;

    [Fact]
    public async Task InitializeCredits_CreationCutShortBeforeTheLastTables_CreatesThemInsteadOfAskingForAnUpgrade()
    {
        // MariaDB commits DDL statement by statement: a creator stopped part way leaves the tables it got to.
        var connectionString = await server.CreateDatabaseAsync();
        var services = server.BuildServices(connectionString);
        await services.InitializeCreditsAsync(createSchema: true);
        await using (var db = UpgradeHost.Context(server, connectionString))
        {
            await db.Database.ExecuteSqlRawAsync("DROP TABLE credit_top_ups");
            await db.Database.ExecuteSqlRawAsync("DROP TABLE credit_auto_top_ups");
        }

        var report = await server.BuildServices(connectionString).InitializeCreditsAsync(createSchema: true);

        Assert.True(report.SchemaCreated);
        Assert.True(report.IsReady);
        Assert.Empty(report.Problems);
    }
}
