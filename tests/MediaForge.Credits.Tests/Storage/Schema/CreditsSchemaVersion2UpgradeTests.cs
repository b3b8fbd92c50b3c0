using MediaForge.Credits.Storage.Schema;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Migrations;

namespace MediaForge.Credits.Tests.Storage.Schema;

/// <summary>
/// A database at schema version 2 (before referrals: no referral tables, version 2 recorded), brought to the current version by
/// the shipped upgrade step or by <c>InitializeCreditsAsync(createSchema: true)</c>.
/// </summary>
public abstract class CreditsSchemaVersion2UpgradeTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    /// <summary>A fresh schema with the referral tables dropped and version 2 recorded, as the previous release left it.</summary>
    private async Task<string> Version2Async()
    {
        var connectionString = await database.CreateDatabaseAsync();
        await database.BuildServices(connectionString).InitializeCreditsAsync(createSchema: true);
        await using var db = UpgradeHost.Context(database, connectionString);
        await db.Database.ExecuteSqlRawAsync("DROP TABLE credit_referrals");
        await db.Database.ExecuteSqlRawAsync("DROP TABLE credit_referral_codes");
        await CreditsSchemaVersion3UpgradeTests<TDatabase>.DropVersion5Async(db);
        await db.Database.ExecuteSqlRawAsync($"DELETE FROM credit_schema_versions WHERE version = {CreditsSchema.CurrentVersion}");
        await db.Database.ExecuteSqlRawAsync("INSERT INTO credit_schema_versions (version, applied_at) VALUES (2, CURRENT_TIMESTAMP)");
        return connectionString;
    }

    [Fact]
    public async Task Upgrade_Version2ThroughTheStep_LeavesTheColumnsAndIndexesOfAFreshSchemaAndRecordsTheCurrentVersion()
    {
        var upgraded = await Version2Async();
        var fresh = await database.CreateDatabaseAsync();
        await database.BuildServices(fresh).InitializeCreditsAsync(createSchema: true);

        await UpgradeHost.RunAsync(database, upgraded, m => m.UpgradeCreditsSchema(from: 2, to: CreditsSchema.CurrentVersion));

        var (upgradedColumns, upgradedIndexes) = await UpgradeHost.ReadCatalogAsync(database, upgraded);
        var (freshColumns, freshIndexes) = await UpgradeHost.ReadCatalogAsync(database, fresh);
        Assert.Equal(freshColumns, upgradedColumns);
        Assert.Equal(freshIndexes, upgradedIndexes);
        Assert.Equal(CreditsSchema.CurrentVersion, await UpgradeHost.RecordedVersionAsync(database, upgraded));
        Assert.Empty((await database.BuildServices(upgraded).InitializeCreditsAsync()).Problems);
    }

    [Fact]
    public async Task InitializeCredits_Version2WithoutCreateSchema_FailsNamingTheUpgradeCall()
    {
        var connectionString = await Version2Async();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => database.BuildServices(connectionString).InitializeCreditsAsync());

        Assert.StartsWith("The credit tables are at schema version 2 (before referrals)", error.Message, StringComparison.Ordinal);
        Assert.Contains(CreditsSchema.UpgradeCall(2), error.Message, StringComparison.Ordinal);
        Assert.Contains("credit_referrals", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InitializeCredits_Version2WithCreateSchema_CreatesTheReferralTablesAndRecordsTheCurrentVersion()
    {
        var connectionString = await Version2Async();

        var report = await database.BuildServices(connectionString).InitializeCreditsAsync(createSchema: true);

        Assert.True(report.SchemaCreated);
        Assert.Empty(report.Problems);
        Assert.Equal(CreditsSchema.CurrentVersion, await UpgradeHost.RecordedVersionAsync(database, connectionString));
    }
}

public sealed class SqliteCreditsSchemaVersion2UpgradeTests(SqliteCreditsDatabase database) : CreditsSchemaVersion2UpgradeTests<SqliteCreditsDatabase>(database);

public sealed class PostgresCreditsSchemaVersion2UpgradeTests(PostgresCreditsDatabase database) : CreditsSchemaVersion2UpgradeTests<PostgresCreditsDatabase>(database);
