using MediaForge.Credits.Storage;
using MediaForge.Credits.Storage.Schema;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;

namespace MediaForge.Credits.Tests.Storage.Schema;

/// <summary>A host's context with the credit model, whose migration upgrades the credit schema as the README shows.</summary>
public sealed class UpgradeHostContext(DbContextOptions<UpgradeHostContext> options) : DbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.ApplyCreditsModel();
}

/// <summary>The host's migration: the one call the README shows.</summary>
[DbContext(typeof(UpgradeHostContext))]
[Migration("20261201000000_UpgradeCreditsSchema")]
public sealed class UpgradeCreditsSchemaMigration : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) => migrationBuilder.UpgradeCreditsSchema(from: 1, to: CreditsSchema.CurrentVersion);
}

/// <summary>Ways to bring a version 1 database forward, and reads of what the database then has.</summary>
public static class UpgradeHost
{
    /// <summary>Applies the host's migrations (<see cref="UpgradeCreditsSchemaMigration"/>) as <c>Database.MigrateAsync()</c> does at start-up.</summary>
    public static async Task MigrateAsync(CreditsDatabase database, string connectionString)
    {
        var options = new DbContextOptionsBuilder<UpgradeHostContext>();
        database.UseProvider(options, connectionString);
        // No model snapshot in this test assembly: EF Core would take the whole model for a pending change.
        options.ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning));
        await using var db = new UpgradeHostContext(options.Options);
        await db.Database.MigrateAsync();
    }

    /// <summary>Runs the operations <paramref name="build"/> adds, as a migration would, on the database.</summary>
    public static async Task RunAsync(CreditsDatabase database, string connectionString, Action<MigrationBuilder> build)
    {
        await using var db = Context(database, connectionString);
        var migration = new MigrationBuilder(db.Database.ProviderName);
        build(migration);
        await new CreditsDatabaseSchema(db).ExecuteAsync(migration.Operations, CancellationToken.None);
    }

    /// <summary>What EF Core generates from the model change between version 1 and the current one (the same table, column and index operations).</summary>
    public static void GeneratedSchemaChanges(MigrationBuilder migration)
    {
        var dialect = CreditsSchemaDialect.For(migration.ActiveProvider, null);
        CreditsSchemaVersion2.AddSchemaChanges(migration, dialect);
        CreditsSchemaVersion3.AddSchemaChanges(migration, dialect);
        CreditsSchemaVersion4.AddSchemaChanges(migration, dialect);
        CreditsSchemaVersion5.AddSchemaChanges(migration, dialect);
        CreditsSchemaVersion6.AddSchemaChanges(migration, dialect);
        CreditsSchemaVersion7.AddSchemaChanges(migration, dialect);
        CreditsSchemaVersion8.AddSchemaChanges(migration, dialect);
        CreditsSchemaVersion9.AddSchemaChanges(migration, dialect);
        CreditsSchemaVersion10.AddSchemaChanges(migration, dialect);
        CreditsSchemaVersion11.AddSchemaChanges(migration, dialect);
        CreditsSchemaVersion12.AddSchemaChanges(migration, dialect);
    }

    /// <summary>
    /// A fresh schema with one pending purchase of <paramref name="buyer"/>, taken back to <paramref name="version"/>
    /// (2 to 6) as that release left it: what the later versions added dropped, only that version recorded.
    /// </summary>
    public static async Task<string> OlderVersionAsync(CreditsDatabase database, int version, string buyer)
    {
        var connectionString = await database.CreateDatabaseAsync();
        var services = database.BuildServices(connectionString);
        await services.InitializeCreditsAsync(createSchema: true);
        await using (var scope = services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<ICreditPurchaseService>().StartPurchaseAsync(buyer, "pro", "stripe");
            // Two expiring lots, as every lot before version 8 was: a bonus and a purchase.
            var credits = scope.ServiceProvider.GetRequiredService<ICreditService>();
            await credits.AddExpiringCreditsAsync(buyer, 5, CreditTransactionType.Bonus, "bonus", DateTimeOffset.UtcNow.AddDays(30));
            await credits.AddExpiringCreditsAsync(buyer, 7, CreditTransactionType.Purchase, "pack", DateTimeOffset.UtcNow.AddDays(30));
        }

        string[] topUps = ["DROP TABLE credit_top_ups", "DROP TABLE credit_auto_top_ups"];
        string[] subscriptions = ["DROP TABLE credit_subscription_periods", "DROP TABLE credit_subscriptions", "DROP TABLE credit_plans"];
        string[] volume = ["DROP TABLE credit_package_tiers", "ALTER TABLE purchases DROP COLUMN quantity"];
        string[] events = ["DROP TABLE credit_events", "DROP TABLE credit_alert_states", "DROP TABLE credit_webhook_deliveries"];
        string[] categories = ["ALTER TABLE credit_grants DROP COLUMN category", "ALTER TABLE credit_grants DROP COLUMN priority"];
        string[] holdLimits = ["DROP INDEX \"IX_usage_logs_member_id_user_id_created_at\"", "DROP INDEX \"IX_credit_reservations_expires_at\"",
            "ALTER TABLE credit_reservations DROP COLUMN limit_counted"];
        string[] spending = ["ALTER TABLE usage_logs DROP COLUMN member_id", "ALTER TABLE credit_reservations DROP COLUMN member_id"];
        string[] teams = ["DROP TABLE credit_team_members", "DROP TABLE credit_teams", "ALTER TABLE purchases DROP COLUMN purchased_by"];
        string[] gifts = ["DROP TABLE credit_gifts", "ALTER TABLE purchases DROP COLUMN is_gift"];
        string[] referrals = ["DROP TABLE credit_referrals", "DROP TABLE credit_referral_codes"];
        await using var db = Context(database, connectionString);
        foreach (var statement in new[] { (12, topUps), (11, subscriptions), (10, volume), (9, events), (8, categories), (7, holdLimits), (6, spending), (5, teams), (4, gifts), (3, referrals) }.Where(s => version < s.Item1).SelectMany(s => s.Item2))
        {
            await db.Database.ExecuteSqlRawAsync(statement);
        }

        await db.Database.ExecuteSqlRawAsync("DELETE FROM credit_schema_versions");
        await db.Database.ExecuteSqlRawAsync("INSERT INTO credit_schema_versions (version, applied_at) VALUES ({0}, CURRENT_TIMESTAMP)", version);
        return connectionString;
    }

    public static CreditsDbContext Context(CreditsDatabase database, string connectionString)
    {
        var options = new DbContextOptionsBuilder<CreditsDbContext>();
        database.UseProvider(options, connectionString);
        return new CreditsDbContext(options.Options);
    }

    /// <summary>Columns (table.column:nullable) and indexes (name: definition) of the database's tables.</summary>
    public static async Task<(List<string> Columns, List<string> Indexes)> ReadCatalogAsync(CreditsDatabase database, string connectionString)
    {
        await using var db = Context(database, connectionString);
        var sqlite = db.Database.IsSqlite();
        var columns = await db.Database.SqlQueryRaw<string>(sqlite
            ? "SELECT m.name || '.' || p.name || ':' || p.\"notnull\" AS \"Value\" FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite%' AND m.name NOT LIKE '__EF%'"
            : "SELECT table_name || '.' || column_name || ':' || is_nullable || ':' || data_type AS \"Value\" FROM information_schema.columns WHERE table_schema = 'public' AND table_name NOT LIKE '__EF%'")
            .ToListAsync();
        var indexes = await db.Database.SqlQueryRaw<string>(sqlite
            ? "SELECT name || ': ' || COALESCE(sql, '') AS \"Value\" FROM sqlite_master WHERE type = 'index' AND tbl_name NOT LIKE '__EF%'"
            : "SELECT indexname || ': ' || indexdef AS \"Value\" FROM pg_indexes WHERE schemaname = 'public' AND tablename NOT LIKE '__EF%'")
            .ToListAsync();
        return ([.. columns.Order(StringComparer.Ordinal)], [.. indexes.Order(StringComparer.Ordinal)]);
    }

    public static async Task<int?> RecordedVersionAsync(CreditsDatabase database, string connectionString, string prefix = "")
    {
        await using var db = Context(database, connectionString);
        // The table name is the library's constant plus a prefix of the test's own choosing.
#pragma warning disable EF1002
        return await db.Database.SqlQueryRaw<int?>($"SELECT MAX(version) AS \"Value\" FROM {prefix}{CreditsSchema.VersionTable}").SingleAsync();
#pragma warning restore EF1002
    }
}
