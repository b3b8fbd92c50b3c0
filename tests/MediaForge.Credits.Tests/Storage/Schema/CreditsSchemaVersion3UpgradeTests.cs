using MediaForge.Credits.Storage;
using MediaForge.Credits.Storage.Schema;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;

namespace MediaForge.Credits.Tests.Storage.Schema;

/// <summary>
/// A database at schema version 3 (before teams: no team tables, no <c>purchases.purchased_by</c>, version 3 recorded),
/// brought to the current version by the shipped upgrade step or by <c>InitializeCreditsAsync(createSchema: true)</c>.
/// </summary>
public abstract class CreditsSchemaVersion3UpgradeTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    /// <summary>Removes what version 5 added (team tables, the purchase column).</summary>
    public static async Task DropVersion5Async(CreditsDbContext db)
    {
        await db.Database.ExecuteSqlRawAsync("DROP TABLE credit_team_members");
        await db.Database.ExecuteSqlRawAsync("DROP TABLE credit_teams");
        await db.Database.ExecuteSqlRawAsync("ALTER TABLE purchases DROP COLUMN purchased_by");
    }

    /// <summary>A fresh schema without what version 5 added, one purchase in it and version 3 recorded, as the release before teams left it.</summary>
    private async Task<string> Version3Async()
    {
        var connectionString = await database.CreateDatabaseAsync();
        var services = database.BuildServices(connectionString);
        await services.InitializeCreditsAsync(createSchema: true);
        await using (var scope = services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<ICreditPurchaseService>().StartPurchaseAsync("user_before_teams", "pro", "stripe");
        }

        await using var db = UpgradeHost.Context(database, connectionString);
        await DropVersion5Async(db);
        await db.Database.ExecuteSqlRawAsync($"DELETE FROM credit_schema_versions WHERE version = {CreditsSchema.CurrentVersion}");
        await db.Database.ExecuteSqlRawAsync("INSERT INTO credit_schema_versions (version, applied_at) VALUES (3, CURRENT_TIMESTAMP)");
        return connectionString;
    }

    [Fact]
    public async Task Upgrade_Version3ThroughTheStep_LeavesTheColumnsAndIndexesOfAFreshSchemaAndRecordsVersion5()
    {
        var upgraded = await Version3Async();
        var fresh = await database.CreateDatabaseAsync();
        await database.BuildServices(fresh).InitializeCreditsAsync(createSchema: true);

        await UpgradeHost.RunAsync(database, upgraded, m => m.UpgradeCreditsSchema(from: 3, to: 5));

        var (upgradedColumns, upgradedIndexes) = await UpgradeHost.ReadCatalogAsync(database, upgraded);
        var (freshColumns, freshIndexes) = await UpgradeHost.ReadCatalogAsync(database, fresh);
        Assert.Equal(freshColumns, upgradedColumns);
        Assert.Equal(freshIndexes, upgradedIndexes);
        Assert.Equal(5, await UpgradeHost.RecordedVersionAsync(database, upgraded));
        Assert.Empty((await database.BuildServices(upgraded).InitializeCreditsAsync()).Problems);
    }

    [Fact]
    public async Task Upgrade_Version3_KeepsEarlierPurchasesAsTheirBuyersOwn()
    {
        var upgraded = await Version3Async();

        await UpgradeHost.RunAsync(database, upgraded, m => m.UpgradeCreditsSchema(from: 3, to: 5));

        await using var db = UpgradeHost.Context(database, upgraded);
        var purchase = await db.Purchases.SingleAsync();
        Assert.Equal(("user_before_teams", (string?)null), (purchase.UserId, purchase.PurchasedBy));
    }

    [Fact]
    public async Task InitializeCredits_Version3WithoutCreateSchema_FailsNamingTheUpgradeCall()
    {
        var connectionString = await Version3Async();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => database.BuildServices(connectionString).InitializeCreditsAsync());

        Assert.StartsWith("The credit tables are at schema version 3 (before teams)", error.Message, StringComparison.Ordinal);
        Assert.Contains("migrationBuilder.UpgradeCreditsSchema(from: 3, to: 5)", error.Message, StringComparison.Ordinal);
        Assert.Contains("credit_teams", error.Message, StringComparison.Ordinal);
        Assert.Contains("purchases.purchased_by", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InitializeCredits_Version3WithCreateSchema_CreatesTheTeamTablesAndRecordsVersion5()
    {
        var connectionString = await Version3Async();

        var report = await database.BuildServices(connectionString).InitializeCreditsAsync(createSchema: true);

        Assert.True(report.SchemaCreated);
        Assert.Empty(report.Problems);
        Assert.Equal(5, await UpgradeHost.RecordedVersionAsync(database, connectionString));
    }
}

public sealed class SqliteCreditsSchemaVersion3UpgradeTests(SqliteCreditsDatabase database) : CreditsSchemaVersion3UpgradeTests<SqliteCreditsDatabase>(database);

public sealed class PostgresCreditsSchemaVersion3UpgradeTests(PostgresCreditsDatabase database) : CreditsSchemaVersion3UpgradeTests<PostgresCreditsDatabase>(database);
