using MediaForge.Credits.Storage.Schema;
using MediaForge.Credits.Storage;
using MediaForge.Credits.Tests.Analytics;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace MediaForge.Credits.Tests.Storage.Schema;

/// <summary>
/// <c>InitializeCreditsAsync</c> and the credit schema: only the missing credit tables are created whatever else the
/// host's context maps, a missing schema stops start-up with what to run, and stale derived data is reported.
/// </summary>
public abstract class CreditsSchemaCreationTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    [Fact]
    public async Task InitializeCredits_HostContextWhoseOwnTableExists_CreatesTheCreditTablesAndLeavesTheHostTable()
    {
        var (services, connectionString) = await HostWithItsTableAsync();

        var report = await services.InitializeCreditsAsync(createSchema: true);

        Assert.True(report.SchemaCreated);
        Assert.Equal(3, report.ActivePackages);
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HostDbContext>();
        Assert.Equal(["a fox"], await db.Jobs.Select(j => j.Prompt).ToListAsync());
        Assert.Equal(CreditsSchema.CurrentVersion, await UpgradeHost.RecordedVersionAsync(database, connectionString, "mf_"));
    }

    [Fact]
    public async Task InitializeCredits_HostContextSecondRun_CreatesNothing()
    {
        var (services, _) = await HostWithItsTableAsync();
        await services.InitializeCreditsAsync(createSchema: true);

        var second = await services.InitializeCreditsAsync(createSchema: true);

        Assert.False(second.SchemaCreated);
        Assert.Empty(second.PackagesInserted);
        Assert.True(second.IsReady);
    }

    [Fact]
    public async Task InitializeCredits_NoCreditTablesWithoutCreateSchema_FailsNamingTheMigrationToRun()
    {
        var services = database.BuildServices(await database.CreateDatabaseAsync());

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => services.InitializeCreditsAsync());

        Assert.StartsWith("The credit tables are missing from the database (tables ", error.Message, StringComparison.Ordinal);
        Assert.Contains("usage_logs", error.Message, StringComparison.Ordinal);
        Assert.Contains("credit_packages", error.Message, StringComparison.Ordinal);
        Assert.Contains("dotnet ef migrations add", error.Message, StringComparison.Ordinal);
        Assert.Contains("InitializeCreditsAsync(createSchema: true)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InitializeCredits_RecordedVersionNewerThanTheLibrary_ReportsIt()
    {
        var (services, connectionString) = await FreshAsync();
        await using (var db = UpgradeHost.Context(database, connectionString))
        {
            db.Add(new CreditSchemaVersion { Version = CreditsSchema.CurrentVersion + 1, AppliedAt = DateTime.UtcNow });
            await db.SaveChangesAsync();
        }

        var report = await services.InitializeCreditsAsync();

        Assert.Contains(report.Problems, p => p.StartsWith($"The credit schema is at version {CreditsSchema.CurrentVersion + 1}, newer than this library's {CreditsSchema.CurrentVersion}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task InitializeCredits_RollUpMissingAnHour_ReportsStaleDataAndLogsAWarning()
    {
        var (services, connectionString) = await FreshWithAUseAsync();
        await using (var db = UpgradeHost.Context(database, connectionString))
        {
            // Row by row: MariaDB before 11.6 rejects the DELETE ... AS alias that ExecuteDeleteAsync writes.
            db.RemoveRange(await db.Set<CreditUsageHour>().ToListAsync());
            await db.SaveChangesAsync();
        }

        var logs = new FakeLogCollector();
        var logged = new ServiceCollection().AddLogsTo(logs, LogLevel.Information);
        logged.AddDbContextPool<CreditsDbContext>(o => database.UseProvider(o, connectionString));
        logged.AddMediaForgeCredits().UseEntityFrameworkCore<CreditsDbContext>();
        await using var provider = logged.BuildServiceProvider();
        var report = await provider.InitializeCreditsAsync();

        var problem = Assert.Single(report.Problems);
        Assert.StartsWith("The hourly usage roll-up does not match the usage logs of the hour 2025-06-02 10:00Z (1 uses and 8 credits logged, 0 and 0 rolled up)", problem, StringComparison.Ordinal);
        Assert.Contains(logs.GetSnapshot(), l => l.Level == LogLevel.Warning && l.Message.Contains(problem, StringComparison.Ordinal));
    }

    [Fact]
    public async Task InitializeCredits_CountersNotMatchingTheLogs_ReportsStaleCounters()
    {
        var (services, connectionString) = await FreshWithAUseAsync();
        await using (var db = UpgradeHost.Context(database, connectionString))
        {
            await db.Accounts.ExecuteUpdateAsync(u => u.SetProperty(a => a.UsageCount, 0L));
        }

        var report = await services.InitializeCreditsAsync();

        var problem = Assert.Single(report.Problems);
        Assert.StartsWith("The usage counters of user schema-user (0 uses, 8 credits) do not match the usage logs' running totals (1, 8)", problem, StringComparison.Ordinal);
    }

    private async Task<(ServiceProvider Services, string ConnectionString)> FreshAsync()
    {
        var connectionString = await database.CreateDatabaseAsync();
        var services = database.BuildServices(connectionString);
        await services.InitializeCreditsAsync(createSchema: true);
        return (services, connectionString);
    }

    /// <summary>A fresh schema with one charged use in a past hour (the check leaves the current hour out).</summary>
    private async Task<(ServiceProvider Services, string ConnectionString)> FreshWithAUseAsync()
    {
        var (services, connectionString) = await FreshAsync();
        var past = database.BuildServices(connectionString, time: new SettableClock(new DateTimeOffset(2025, 6, 2, 10, 15, 0, TimeSpan.Zero)));
        await database.WithCreditsAsync(async credits =>
        {
            await credits.AddCreditsAsync("schema-user", 50, CreditTransactionType.Bonus, "welcome");
            return await credits.DeductCreditsAsync("schema-user", "video-generation", "hailuo");
        }, past);
        return (services, connectionString);
    }

    /// <summary>A host context (its own table and the credit model, prefixed) on a database where the host's table exists with a row.</summary>
    private async Task<(ServiceProvider Services, string ConnectionString)> HostWithItsTableAsync()
    {
        var connectionString = await database.CreateDatabaseAsync();
        var services = new ServiceCollection();
        services.AddDbContext<HostDbContext>(o => database.UseProvider(o, connectionString));
        services.AddMediaForgeCredits().UseEntityFrameworkCore<HostDbContext>();
        var provider = services.BuildServiceProvider();
        await using var scope = provider.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HostDbContext>();
        await HostDbContext.CreateJobsTableAsync(db);
        db.Jobs.Add(new VideoJob { Prompt = "a fox" });
        await db.SaveChangesAsync();
        return (provider, connectionString);
    }
}

public sealed class SqliteCreditsSchemaCreationTests(SqliteCreditsDatabase database) : CreditsSchemaCreationTests<SqliteCreditsDatabase>(database);

public sealed class PostgresCreditsSchemaCreationTests(PostgresCreditsDatabase database) : CreditsSchemaCreationTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbCreditsSchemaCreationTests(MariaDbCreditsDatabase database) : CreditsSchemaCreationTests<MariaDbCreditsDatabase>(database);
