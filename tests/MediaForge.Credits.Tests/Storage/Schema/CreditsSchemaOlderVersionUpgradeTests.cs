using MediaForge.Credits.Storage.Schema;
using MediaForge.Credits.Entities;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Migrations;

namespace MediaForge.Credits.Tests.Storage.Schema;

/// <summary>
/// A database at schema version 2 (before referrals), 3 (before gifts), 4 (before teams), 5 (before team spending), 6 (before team hold
/// limits) 7 (before grant categories) 8 (before host events) 9 (before volume discounts) or 10 (before subscriptions), with a purchase in it, brought to the current version by the shipped upgrade steps (each step after the database's version, in order) or by
/// <c>InitializeCreditsAsync(createSchema: true)</c>: the schema then equals a fresh one, and earlier purchases are
/// back-filled as not gifts (<c>is_gift</c> false) and as their buyer's own (<c>purchased_by</c> null), earlier lots with
/// the category and default priority of their grant's type (bonus: promotional, purchase: paid).
/// </summary>
public abstract class CreditsSchemaOlderVersionUpgradeTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private const string Buyer = "user_earlier_buyer";

    private Task<string> OlderAsync(int version) => UpgradeHost.OlderVersionAsync(database, version, Buyer);

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(10)]
    [InlineData(11)]
    public async Task Upgrade_OlderVersionThroughTheSteps_LeavesTheColumnsAndIndexesOfAFreshSchemaAndRecordsTheCurrentVersion(int from)
    {
        var upgraded = await OlderAsync(from);
        var fresh = await database.CreateDatabaseAsync();
        await database.BuildServices(fresh).InitializeCreditsAsync(createSchema: true);

        await UpgradeHost.RunAsync(database, upgraded, m => m.UpgradeCreditsSchema(from, to: CreditsSchema.CurrentVersion));

        var (upgradedColumns, upgradedIndexes) = await UpgradeHost.ReadCatalogAsync(database, upgraded);
        var (freshColumns, freshIndexes) = await UpgradeHost.ReadCatalogAsync(database, fresh);
        Assert.Equal(freshColumns, upgradedColumns);
        Assert.Equal(freshIndexes, upgradedIndexes);
        Assert.Equal(CreditsSchema.CurrentVersion, await UpgradeHost.RecordedVersionAsync(database, upgraded));
        Assert.Empty((await database.BuildServices(upgraded).InitializeCreditsAsync()).Problems);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(10)]
    [InlineData(11)]
    public async Task Upgrade_OlderVersion_BackfillsEarlierPurchasesAsTheBuyersOwnAndNotGifts(int from)
    {
        var upgraded = await OlderAsync(from);

        await UpgradeHost.RunAsync(database, upgraded, m => m.UpgradeCreditsSchema(from, to: CreditsSchema.CurrentVersion));

        await AssertBackfilledAsync(upgraded, from);
    }

    [Fact]
    public async Task Upgrade_Version3OnlyToVersion4_AddsGiftsAndStartUpNamesTheTeamStep()
    {
        var upgraded = await OlderAsync(3);

        await UpgradeHost.RunAsync(database, upgraded, m => m.UpgradeCreditsSchema(from: 3, to: 4));

        Assert.Equal(4, await UpgradeHost.RecordedVersionAsync(database, upgraded));
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => database.BuildServices(upgraded).InitializeCreditsAsync());
        Assert.StartsWith("The credit tables are at schema version 4 (before teams)", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(2, "version 2 (before referrals)", "credit_referrals")]
    [InlineData(3, "version 3 (before gifts)", "purchases.is_gift")]
    [InlineData(4, "version 4 (before teams)", "credit_teams")]
    [InlineData(5, "version 5 (before team spending)", "usage_logs.member_id")]
    [InlineData(6, "version 6 (before team hold limits)", "credit_reservations.limit_counted")]
    [InlineData(7, "version 7 (before grant categories)", "credit_grants.category")]
    [InlineData(8, "version 8 (before host events)", "credit_events")]
    [InlineData(9, "version 9 (before volume discounts)", "credit_package_tiers")]
    [InlineData(10, "version 10 (before subscriptions)", "credit_subscription_periods")]
    [InlineData(11, "version 11 (before auto top-up)", "credit_top_ups")]
    public async Task InitializeCredits_OlderVersionWithoutCreateSchema_FailsNamingTheVersionAndTheUpgradeCall(int from, string version, string missing)
    {
        var connectionString = await OlderAsync(from);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => database.BuildServices(connectionString).InitializeCreditsAsync());

        Assert.StartsWith($"The credit tables are at schema {version}", error.Message, StringComparison.Ordinal);
        Assert.Contains($"migrationBuilder.UpgradeCreditsSchema(from: {from}, to: {CreditsSchema.CurrentVersion})", error.Message, StringComparison.Ordinal);
        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
        Assert.Equal(from < 8, error.Message.Contains("credit_grants.priority", StringComparison.Ordinal));
        Assert.Equal(from < 9, error.Message.Contains("credit_events", StringComparison.Ordinal));
        Assert.Equal(from < 10, error.Message.Contains("purchases.quantity", StringComparison.Ordinal));
        Assert.Equal(from < 11, error.Message.Contains("credit_subscription_periods", StringComparison.Ordinal));
        Assert.Contains("credit_auto_top_ups", error.Message, StringComparison.Ordinal);
        Assert.Equal(from < 7, error.Message.Contains("credit_reservations.limit_counted", StringComparison.Ordinal));
        Assert.Equal(from < 6, error.Message.Contains("credit_reservations.member_id", StringComparison.Ordinal));
        Assert.Equal(from < 5, error.Message.Contains("purchases.purchased_by", StringComparison.Ordinal));
        Assert.Equal(from < 4, error.Message.Contains("purchases.is_gift", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(10)]
    [InlineData(11)]
    public async Task InitializeCredits_OlderVersionWithCreateSchema_AddsTheLaterTablesBackfillsAndRecordsTheCurrentVersion(int from)
    {
        var connectionString = await OlderAsync(from);

        var report = await database.BuildServices(connectionString).InitializeCreditsAsync(createSchema: true);

        Assert.True(report.SchemaCreated);
        Assert.Empty(report.Problems);
        Assert.Equal(CreditsSchema.CurrentVersion, await UpgradeHost.RecordedVersionAsync(database, connectionString));
        await AssertBackfilledAsync(connectionString, from);
        await using var db = UpgradeHost.Context(database, connectionString);
        Assert.Equal((0, 0, 0, 0), (await db.Set<CreditReferral>().CountAsync(), await db.Set<CreditGiftRow>().CountAsync(),
            await db.Set<CreditTeamRow>().CountAsync(), await db.Set<CreditTeamMemberRow>().CountAsync()));
    }

    private async Task AssertBackfilledAsync(string connectionString, int from)
    {
        await using var db = UpgradeHost.Context(database, connectionString);
        var purchase = await db.Purchases.AsNoTracking().SingleAsync();
        Assert.Equal((Buyer, false, (string?)null, (int?)1), (purchase.UserId, purchase.IsGift, purchase.PurchasedBy, purchase.Quantity));
        // An upgrade never changes an existing catalogue's prices: no tiers appear where the database had none (before 10).
        Assert.Equal(from < 10, await db.PackageTiers.CountAsync() == 0);
        Assert.Equal((0, 0), (await db.Set<UsageLog>().CountAsync(u => u.MemberId != null), await db.Set<CreditReservation>().CountAsync(r => r.MemberId != null)));
        var lots = await db.Set<CreditGrant>().AsNoTracking().OrderBy(g => g.Amount).Select(g => new { g.Amount, g.Category, g.Priority }).ToListAsync();
        Assert.Equal([(5L, "promotional", 20), (7L, "paid", 30)], lots.Select(l => (l.Amount, l.Category, l.Priority)));
    }
}

public sealed class SqliteCreditsSchemaOlderVersionUpgradeTests(SqliteCreditsDatabase database) : CreditsSchemaOlderVersionUpgradeTests<SqliteCreditsDatabase>(database);

public sealed class PostgresCreditsSchemaOlderVersionUpgradeTests(PostgresCreditsDatabase database) : CreditsSchemaOlderVersionUpgradeTests<PostgresCreditsDatabase>(database);
