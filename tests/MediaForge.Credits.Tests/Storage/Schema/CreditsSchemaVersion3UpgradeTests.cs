using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;

namespace MediaForge.Credits.Tests.Storage.Schema;

/// <summary>
/// A database at schema version 3 (before gifts: no gift table, no <c>purchases.is_gift</c>, version 3 recorded) with
/// purchases in it, brought to version 4 (the flag back-filled false) by
/// the shipped upgrade step or by <c>InitializeCreditsAsync(createSchema: true)</c>.
/// </summary>
public abstract class CreditsSchemaVersion3UpgradeTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    /// <summary>A fresh schema with a purchase, the gift table and the gift flag dropped and version 3 recorded, as that release left it.</summary>
    private async Task<string> Version3Async()
    {
        var connectionString = await database.CreateDatabaseAsync();
        await database.BuildServices(connectionString).InitializeCreditsAsync(createSchema: true);
        await using var db = UpgradeHost.Context(database, connectionString);
        var services = database.BuildServices(connectionString);
        await using (var scope = services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<ICreditPurchaseService>().StartPurchaseAsync("user_v3_buyer", "pro", "stripe");
        }

        await db.Database.ExecuteSqlRawAsync("DROP TABLE credit_gifts");
        await db.Database.ExecuteSqlRawAsync("ALTER TABLE purchases DROP COLUMN is_gift");
        await db.Database.ExecuteSqlRawAsync("DELETE FROM credit_schema_versions WHERE version = 4");
        await db.Database.ExecuteSqlRawAsync("INSERT INTO credit_schema_versions (version, applied_at) VALUES (3, CURRENT_TIMESTAMP)");
        return connectionString;
    }

    [Fact]
    public async Task Upgrade_Version3ThroughTheStep_LeavesTheColumnsAndIndexesOfAFreshSchemaAndRecordsVersion4()
    {
        var upgraded = await Version3Async();
        var fresh = await database.CreateDatabaseAsync();
        await database.BuildServices(fresh).InitializeCreditsAsync(createSchema: true);

        await UpgradeHost.RunAsync(database, upgraded, m => m.UpgradeCreditsSchema(from: 3, to: 4));

        var (upgradedColumns, upgradedIndexes) = await UpgradeHost.ReadCatalogAsync(database, upgraded);
        var (freshColumns, freshIndexes) = await UpgradeHost.ReadCatalogAsync(database, fresh);
        Assert.Equal(freshColumns, upgradedColumns);
        Assert.Equal(freshIndexes, upgradedIndexes);
        Assert.Equal(4, await UpgradeHost.RecordedVersionAsync(database, upgraded));
        Assert.Empty((await database.BuildServices(upgraded).InitializeCreditsAsync()).Problems);
    }

    [Fact]
    public async Task InitializeCredits_Version3WithoutCreateSchema_FailsNamingTheUpgradeCall()
    {
        var connectionString = await Version3Async();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => database.BuildServices(connectionString).InitializeCreditsAsync());

        Assert.StartsWith("The credit tables are at schema version 3 (before gifts)", error.Message, StringComparison.Ordinal);
        Assert.Contains("migrationBuilder.UpgradeCreditsSchema(from: 3, to: 4)", error.Message, StringComparison.Ordinal);
        Assert.Contains("purchases.is_gift", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InitializeCredits_Version3WithCreateSchema_CreatesTheGiftTableBackfillsTheFlagAndRecordsVersion4()
    {
        var connectionString = await Version3Async();

        var report = await database.BuildServices(connectionString).InitializeCreditsAsync(createSchema: true);

        Assert.True(report.SchemaCreated);
        Assert.Empty(report.Problems);
        Assert.Equal(4, await UpgradeHost.RecordedVersionAsync(database, connectionString));
        await using var db = UpgradeHost.Context(database, connectionString);
        var purchase = await db.Purchases.AsNoTracking().SingleAsync(p => p.UserId == "user_v3_buyer");
        Assert.False(purchase.IsGift);
        Assert.Equal(0, await db.Set<MediaForge.Credits.Entities.CreditGiftRow>().CountAsync());
    }
}

public sealed class SqliteCreditsSchemaVersion3UpgradeTests(SqliteCreditsDatabase database) : CreditsSchemaVersion3UpgradeTests<SqliteCreditsDatabase>(database);

public sealed class PostgresCreditsSchemaVersion3UpgradeTests(PostgresCreditsDatabase database) : CreditsSchemaVersion3UpgradeTests<PostgresCreditsDatabase>(database);
