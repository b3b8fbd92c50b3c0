using MediaForge.Credits.Storage;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;

namespace MediaForge.Credits.Tests.Storage.Schema;

/// <summary>
/// A database at schema version 1 (before the analytics roll-up) with history, brought to the current version by the shipped
/// upgrade steps: every usage report then equals a recomputation from the raw logs.
/// </summary>
public abstract class CreditsSchemaUpgradeTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    [Fact]
    public async Task Upgrade_Version1HistoryThroughAHostMigration_EveryUsageReportEqualsTheRawLogs()
    {
        var connectionString = await Version1History.CreateAsync(database);

        await UpgradeHost.MigrateAsync(database, connectionString);

        await AssertReportsEqualTheLogsAsync(connectionString);
    }

    [Fact]
    public async Task Upgrade_Version1ThroughAHostMigration_RecordsTheCurrentVersionAndStartsWithoutProblems()
    {
        var connectionString = await Version1History.CreateAsync(database);

        await UpgradeHost.MigrateAsync(database, connectionString);

        Assert.Equal(11, await UpgradeHost.RecordedVersionAsync(database, connectionString));
        var report = await database.BuildServices(connectionString).InitializeCreditsAsync();
        Assert.Empty(report.Problems);
    }

    [Fact]
    public async Task Upgrade_Version1_LeavesTheColumnsAndIndexesOfAFreshSchema()
    {
        var upgraded = await Version1History.CreateAsync(database);
        var fresh = await database.CreateDatabaseAsync();
        await database.BuildServices(fresh).InitializeCreditsAsync(createSchema: true);

        await UpgradeHost.RunAsync(database, upgraded, m => m.UpgradeCreditsSchema(from: 1, to: 11));

        var (upgradedColumns, upgradedIndexes) = await UpgradeHost.ReadCatalogAsync(database, upgraded);
        var (freshColumns, freshIndexes) = await UpgradeHost.ReadCatalogAsync(database, fresh);
        Assert.Equal(freshColumns, upgradedColumns);
        Assert.Equal(freshIndexes, upgradedIndexes);
    }

    [Fact]
    public async Task Upgrade_SchemaChangesGeneratedByEFCore_BackfillMakesEveryUsageReportEqualTheRawLogs()
    {
        var connectionString = await Version1History.CreateAsync(database);

        await UpgradeHost.RunAsync(database, connectionString, m =>
        {
            UpgradeHost.GeneratedSchemaChanges(m);
            m.UpgradeCreditsSchema(from: 1, to: 11, schemaChangesGenerated: true);
        });

        await AssertReportsEqualTheLogsAsync(connectionString);
    }

    [Fact]
    public async Task Upgrade_PrefixedVersion1_StartsWithoutProblemsOnThePrefixedContext()
    {
        var connectionString = await Version1History.CreateAsync(database, "mf_");

        await UpgradeHost.RunAsync(database, connectionString, m => m.UpgradeCreditsSchema(1, 11, new CreditsModelOptions { TablePrefix = "mf_" }));

        var services = new ServiceCollection();
        services.AddDbContext<HostDbContext>(o => database.UseProvider(o, connectionString));
        services.AddMediaForgeCredits(o => o.AdminUserIds.Add(Version1History.Admin)).UseEntityFrameworkCore<HostDbContext>();
        await using var provider = services.BuildServiceProvider();
        var report = await provider.InitializeCreditsAsync();
        Assert.Empty(report.Problems);
        Assert.Equal(11, await UpgradeHost.RecordedVersionAsync(database, connectionString, "mf_"));
        await using var scope = provider.CreateAsyncScope();
        var top = await scope.ServiceProvider.GetRequiredService<ICreditAnalytics>()
            .GetTopUsersAsync(new CreditAnalyticsRange(Version1History.Start, Version1History.End), 10);
        Assert.Equal(Version1History.ChargedUsers.Order(StringComparer.Ordinal), top.Select(u => u.UserId).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Upgrade_Version1Holds_AskedForWhatTheyHeld()
    {
        var connectionString = await Version1History.CreateAsync(database);

        await UpgradeHost.MigrateAsync(database, connectionString);

        await using var db = UpgradeHost.Context(database, connectionString);
        Assert.All(await db.Reservations.ToListAsync(), r => Assert.Equal(r.Amount, r.RequestedAmount));
    }

    [Fact]
    public async Task InitializeCredits_Version1WithoutCreateSchema_FailsNamingTheUpgradeCall()
    {
        var connectionString = await Version1History.CreateAsync(database);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => database.BuildServices(connectionString).InitializeCreditsAsync());

        Assert.Contains("schema version 1", error.Message, StringComparison.Ordinal);
        Assert.Contains("migrationBuilder.UpgradeCreditsSchema(from: 1, to: 11)", error.Message, StringComparison.Ordinal);
        Assert.Contains("usage_logs.cumulative_uses", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InitializeCredits_Version1WithCreateSchema_UpgradesItAndEveryUsageReportEqualsTheRawLogs()
    {
        var connectionString = await Version1History.CreateAsync(database);

        var report = await database.BuildServices(connectionString).InitializeCreditsAsync(createSchema: true);

        Assert.True(report.SchemaCreated);
        Assert.Empty(report.Problems);
        await AssertReportsEqualTheLogsAsync(connectionString);
    }

    [Fact]
    public async Task InitializeCredits_ColumnsAddedWithoutTheBackfill_ReportsTheStaleUsageData()
    {
        var connectionString = await Version1History.CreateAsync(database);
        await UpgradeHost.RunAsync(database, connectionString, UpgradeHost.GeneratedSchemaChanges);

        var report = await database.BuildServices(connectionString).InitializeCreditsAsync();

        Assert.Contains(report.Problems, p => p.StartsWith("The hourly usage roll-up does not match the usage logs of the hour 2024-02-05 07:00Z", StringComparison.Ordinal));
        Assert.Contains(report.Problems, p => p.StartsWith("Usage logs have no running totals", StringComparison.Ordinal));
        Assert.All(report.Problems, p => Assert.Contains("UpgradeCreditsSchema(from: 1, to: 11)", p, StringComparison.Ordinal));
        Assert.Null(await UpgradeHost.RecordedVersionAsync(database, connectionString));
    }

    private async Task AssertReportsEqualTheLogsAsync(string connectionString)
    {
        var services = database.BuildServices(connectionString, o => o.AdminUserIds.Add(Version1History.Admin));
        await UsageReportChecks.AssertRunningTotalsAsync(services, Version1History.ChargedUsers);
        var start = Version1History.Start;
        foreach (var range in new[]
                 {
                     new CreditAnalyticsRange(start, Version1History.End, CreditAnalyticsBucket.Hour),
                     new CreditAnalyticsRange(start, Version1History.End, CreditAnalyticsBucket.Day),
                     new CreditAnalyticsRange(start.AddMinutes(95), start.AddHours(50).AddMinutes(13), CreditAnalyticsBucket.Hour),
                     new CreditAnalyticsRange(start.AddHours(30), start.AddDays(40), CreditAnalyticsBucket.Month),
                 })
        {
            await UsageReportChecks.AssertReportsMatchRawAsync(services, range);
        }
    }
}

public sealed class SqliteCreditsSchemaUpgradeTests(SqliteCreditsDatabase database) : CreditsSchemaUpgradeTests<SqliteCreditsDatabase>(database);

public sealed class PostgresCreditsSchemaUpgradeTests(PostgresCreditsDatabase database) : CreditsSchemaUpgradeTests<PostgresCreditsDatabase>(database);
