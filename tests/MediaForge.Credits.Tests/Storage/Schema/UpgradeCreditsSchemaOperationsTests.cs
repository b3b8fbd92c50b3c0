using MediaForge.Credits.Storage;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Migrations.Operations;

namespace MediaForge.Credits.Tests.Storage.Schema;

/// <summary>The operations <c>UpgradeCreditsSchema</c> adds to a migration, without a database.</summary>
public sealed class UpgradeCreditsSchemaOperationsTests
{
    private const string Postgres = "Npgsql.EntityFrameworkCore.PostgreSQL";

    [Fact]
    public void UpgradeCreditsSchema_TablePrefixAndSchema_NamesThePrefixedTablesInTheSchema()
    {
        var migration = new MigrationBuilder(Postgres);

        migration.UpgradeCreditsSchema(1, 2, new CreditsModelOptions { TablePrefix = "mf_", Schema = "billing" });

        var index = migration.Operations.OfType<CreateIndexOperation>().First(i => i.Table == "mf_usage_logs");
        Assert.Equal(("billing", "IX_mf_usage_logs_user_id_created_at_cumulative_uses_cumulative~"), (index.Schema, index.Name));
        Assert.Contains(migration.Operations.OfType<SqlOperation>(), s => s.Sql.StartsWith("INSERT INTO \"billing\".\"mf_credit_usage_hours\"", StringComparison.Ordinal));
        Assert.All(migration.Operations.OfType<AddColumnOperation>(), c => Assert.StartsWith("mf_", c.Table, StringComparison.Ordinal));
    }

    [Fact]
    public void UpgradeCreditsSchema_SchemaChangesGenerated_AddsOnlyTheBackfillAndTheVersion()
    {
        var migration = new MigrationBuilder(Postgres);

        migration.UpgradeCreditsSchema(1, 2, schemaChangesGenerated: true);

        Assert.All(migration.Operations, o => Assert.IsType<SqlOperation>(o));
        Assert.EndsWith("ON CONFLICT (version) DO NOTHING;", ((SqlOperation)migration.Operations[^1]).Sql, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, 2)]
    [InlineData(2, 2)]
    [InlineData(3, 3)]
    [InlineData(4, 4)]
    [InlineData(5, 5)]
    [InlineData(6, 6)]
    [InlineData(7, 7)]
    [InlineData(8, 8)]
    [InlineData(9, 9)]
    [InlineData(10, 10)]
    [InlineData(11, 11)]
    [InlineData(12, 12)]
    [InlineData(1, 13)]
    public void UpgradeCreditsSchema_VersionsOutsideTheSteps_AreRefused(int from, int to) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new MigrationBuilder(Postgres).UpgradeCreditsSchema(from, to));

    [Fact]
    public void UpgradeCreditsSchema_Version3To4_AddsOnlyTheGiftTableAndFlagAndRecordsTheVersion()
    {
        var migration = new MigrationBuilder(Postgres);

        migration.UpgradeCreditsSchema(3, 4, new CreditsModelOptions { TablePrefix = "mf_" });

        Assert.Equal(["mf_credit_gifts"], migration.Operations.OfType<CreateTableOperation>().Select(t => t.Name));
        Assert.Equal([("mf_purchases", "is_gift", (object?)false)], migration.Operations.OfType<AddColumnOperation>().Select(c => (c.Table, c.Name, c.DefaultValue)));
        Assert.Equal(["mf_credit_gifts"], migration.Operations.OfType<CreateIndexOperation>().Select(i => i.Table).Distinct());
        Assert.StartsWith("INSERT INTO \"mf_credit_schema_versions\" (version, applied_at) VALUES (4,", Assert.Single(migration.Operations.OfType<SqlOperation>()).Sql, StringComparison.Ordinal);
    }

    [Fact]
    public void UpgradeCreditsSchema_Version2To3_CreatesOnlyTheReferralTablesAndRecordsTheVersion()
    {
        var migration = new MigrationBuilder(Postgres);

        migration.UpgradeCreditsSchema(2, 3, new CreditsModelOptions { TablePrefix = "mf_" });

        Assert.Equal(["mf_credit_referral_codes", "mf_credit_referrals"], migration.Operations.OfType<CreateTableOperation>().Select(t => t.Name));
        Assert.Empty(migration.Operations.OfType<AddColumnOperation>());
        Assert.Equal(["mf_credit_referral_codes", "mf_credit_referrals"], migration.Operations.OfType<CreateIndexOperation>().Select(i => i.Table).Distinct());
        Assert.StartsWith("INSERT INTO \"mf_credit_schema_versions\" (version, applied_at) VALUES (3,", Assert.Single(migration.Operations.OfType<SqlOperation>()).Sql, StringComparison.Ordinal);
    }

    [Fact]
    public void UpgradeCreditsSchema_Version4To5_CreatesOnlyTheTeamTablesAndThePurchaseColumnAndRecordsTheVersion()
    {
        var migration = new MigrationBuilder(Postgres);

        migration.UpgradeCreditsSchema(4, 5, new CreditsModelOptions { TablePrefix = "mf_" });

        Assert.Equal(["mf_credit_teams", "mf_credit_team_members"], migration.Operations.OfType<CreateTableOperation>().Select(t => t.Name));
        var column = Assert.Single(migration.Operations.OfType<AddColumnOperation>());
        Assert.Equal(("mf_purchases", "purchased_by", true, (object?)null), (column.Table, column.Name, column.IsNullable, column.DefaultValue));
        Assert.Equal(["mf_credit_team_members"], migration.Operations.OfType<CreateIndexOperation>().Select(i => i.Table).Distinct());
        Assert.StartsWith("INSERT INTO \"mf_credit_schema_versions\" (version, applied_at) VALUES (5,", Assert.Single(migration.Operations.OfType<SqlOperation>()).Sql, StringComparison.Ordinal);
    }

    [Fact]
    public void UpgradeCreditsSchema_Version3To5_AddsTheGiftStepThenTheTeamStepAndRecordsVersion5()
    {
        var migration = new MigrationBuilder(Postgres);

        migration.UpgradeCreditsSchema(3, 5, new CreditsModelOptions { TablePrefix = "mf_" });

        Assert.Equal(["mf_credit_gifts", "mf_credit_teams", "mf_credit_team_members"], migration.Operations.OfType<CreateTableOperation>().Select(t => t.Name));
        Assert.Equal([("mf_purchases", "is_gift", (object?)false), ("mf_purchases", "purchased_by", null)],
            migration.Operations.OfType<AddColumnOperation>().Select(c => (c.Table, c.Name, c.DefaultValue)));
        Assert.StartsWith("INSERT INTO \"mf_credit_schema_versions\" (version, applied_at) VALUES (5,", Assert.Single(migration.Operations.OfType<SqlOperation>()).Sql, StringComparison.Ordinal);
    }

    [Fact]
    public void UpgradeCreditsSchema_Version5To6_AddsOnlyTheMemberColumnsAndRecordsTheVersion()
    {
        var migration = new MigrationBuilder(Postgres);

        migration.UpgradeCreditsSchema(5, 6, new CreditsModelOptions { TablePrefix = "mf_" });

        Assert.Empty(migration.Operations.OfType<CreateTableOperation>());
        Assert.Empty(migration.Operations.OfType<CreateIndexOperation>());
        Assert.Equal([("mf_usage_logs", "member_id", true, (int?)128), ("mf_credit_reservations", "member_id", true, (int?)128)],
            migration.Operations.OfType<AddColumnOperation>().Select(c => (c.Table, c.Name, c.IsNullable, c.MaxLength)));
        Assert.StartsWith("INSERT INTO \"mf_credit_schema_versions\" (version, applied_at) VALUES (6,", Assert.Single(migration.Operations.OfType<SqlOperation>()).Sql, StringComparison.Ordinal);
    }

    [Fact]
    public void UpgradeCreditsSchema_Version6To7_AddsTheLimitMarkerAndTheMemberIndexBackfillsActiveTeamHoldsAndRecordsTheVersion()
    {
        var migration = new MigrationBuilder(Postgres);

        migration.UpgradeCreditsSchema(6, 7, new CreditsModelOptions { TablePrefix = "mf_" });

        Assert.Empty(migration.Operations.OfType<CreateTableOperation>());
        Assert.Equal([("mf_credit_reservations", "limit_counted", (object?)false)],
            migration.Operations.OfType<AddColumnOperation>().Select(c => (c.Table, c.Name, c.DefaultValue)));
        Assert.Equal([("mf_credit_reservations", "expires_at", "limit_counted"), ("mf_usage_logs", "member_id,user_id,created_at", "member_id IS NOT NULL")],
            migration.Operations.OfType<CreateIndexOperation>().Select(i => (i.Table, string.Join(',', i.Columns), i.Filter)));
        var sql = migration.Operations.OfType<SqlOperation>().Select(o => o.Sql).ToList();
        Assert.Equal(2, sql.Count);
        Assert.Equal("UPDATE \"mf_credit_reservations\" SET limit_counted = true WHERE member_id IS NOT NULL AND status = 'Active' AND is_unlimited = false;", sql[0]);
        Assert.StartsWith("INSERT INTO \"mf_credit_schema_versions\" (version, applied_at) VALUES (7,", sql[1], StringComparison.Ordinal);
    }

    [Fact]
    public void UpgradeCreditsSchema_Version7To8_AddsOnlyTheLotCategoryColumnsBackfillsAndRecordsTheVersion()
    {
        var migration = new MigrationBuilder(Postgres);

        migration.UpgradeCreditsSchema(7, 8, new CreditsModelOptions { TablePrefix = "mf_" });

        Assert.Empty(migration.Operations.OfType<CreateTableOperation>());
        Assert.Equal([("mf_credit_grants", "category", false, (object?)"paid"), ("mf_credit_grants", "priority", false, 0)],
            migration.Operations.OfType<AddColumnOperation>().Select(c => (c.Table, c.Name, c.IsNullable, c.DefaultValue)));
        var sql = migration.Operations.OfType<SqlOperation>().Select(o => o.Sql).ToList();
        Assert.Equal(2, sql.Count);
        Assert.StartsWith("UPDATE \"mf_credit_grants\" SET category", sql[0], StringComparison.Ordinal);
        Assert.StartsWith("INSERT INTO \"mf_credit_schema_versions\" (version, applied_at) VALUES (8,", sql[1], StringComparison.Ordinal);
    }

    [Fact]
    public void UpgradeCreditsSchema_Version7To8WithGeneratedChanges_OnlyBackfillsAndRecordsTheVersion()
    {
        var migration = new MigrationBuilder(Postgres);

        migration.UpgradeCreditsSchema(7, 8, schemaChangesGenerated: true);

        Assert.All(migration.Operations, o => Assert.IsType<SqlOperation>(o));
        Assert.Equal(2, migration.Operations.Count);
    }

    [Fact]
    public void UpgradeCreditsSchema_Version8To9_AddsOnlyTheEventTablesAndRecordsTheVersion()
    {
        var migration = new MigrationBuilder(Postgres);

        migration.UpgradeCreditsSchema(8, 9, new CreditsModelOptions { TablePrefix = "mf_" });

        Assert.Equal(["mf_credit_events", "mf_credit_alert_states", "mf_credit_webhook_deliveries"], migration.Operations.OfType<CreateTableOperation>().Select(t => t.Name));
        Assert.Empty(migration.Operations.OfType<AddColumnOperation>());
        Assert.Equal(["mf_credit_events"], migration.Operations.OfType<CreateIndexOperation>().Select(i => i.Table).Distinct());
        Assert.StartsWith("INSERT INTO \"mf_credit_schema_versions\" (version, applied_at) VALUES (9,", Assert.Single(migration.Operations.OfType<SqlOperation>()).Sql, StringComparison.Ordinal);
    }

    [Fact]
    public void UpgradeCreditsSchema_Version9To10_AddsTheTierTableAndTheQuantityColumnBackfillsOnePackAndRecordsTheVersion()
    {
        var migration = new MigrationBuilder(Postgres);

        migration.UpgradeCreditsSchema(9, 10, new CreditsModelOptions { TablePrefix = "mf_" });

        Assert.Equal(["mf_credit_package_tiers"], migration.Operations.OfType<CreateTableOperation>().Select(t => t.Name));
        Assert.Equal([("mf_purchases", "quantity", true)], migration.Operations.OfType<AddColumnOperation>().Select(c => (c.Table, c.Name, c.IsNullable)));
        var sql = migration.Operations.OfType<SqlOperation>().Select(o => o.Sql).ToList();
        Assert.Equal(2, sql.Count);
        Assert.Equal("UPDATE \"mf_purchases\" SET quantity = 1 WHERE quantity IS NULL;", sql[0]);
        Assert.StartsWith("INSERT INTO \"mf_credit_schema_versions\" (version, applied_at) VALUES (10,", sql[1], StringComparison.Ordinal);
    }

    [Fact]
    public void UpgradeCreditsSchema_Version9To10WithGeneratedChanges_StillBackfillsOnePack()
    {
        var migration = new MigrationBuilder(Postgres);

        migration.UpgradeCreditsSchema(9, 10, schemaChangesGenerated: true);

        Assert.Equal("UPDATE \"purchases\" SET quantity = 1 WHERE quantity IS NULL;", Assert.IsType<SqlOperation>(migration.Operations[0]).Sql);
    }

    [Fact]
    public void UpgradeCreditsSchema_Version11To12_AddsOnlyTheTopUpTablesAndRecordsTheVersion()
    {
        var migration = new MigrationBuilder(Postgres);

        migration.UpgradeCreditsSchema(11, 12, new CreditsModelOptions { TablePrefix = "mf_" });

        Assert.Equal(["mf_credit_auto_top_ups", "mf_credit_top_ups"], migration.Operations.OfType<CreateTableOperation>().Select(t => t.Name));
        Assert.Equal([("mf_credit_top_ups", "IX_mf_credit_top_ups_status_next_attempt_at"), ("mf_credit_top_ups", "IX_mf_credit_top_ups_wallet_id")],
            migration.Operations.OfType<CreateIndexOperation>().Select(i => (i.Table, i.Name)));
        Assert.Empty(migration.Operations.OfType<AddColumnOperation>());
        Assert.StartsWith("INSERT INTO \"mf_credit_schema_versions\" (version, applied_at) VALUES (12,", Assert.Single(migration.Operations.OfType<SqlOperation>()).Sql, StringComparison.Ordinal);
    }

    [Fact]
    public void UpgradeCreditsSchema_Version10To11_AddsOnlyTheSubscriptionTablesAndRecordsTheVersion()
    {
        var migration = new MigrationBuilder(Postgres);

        migration.UpgradeCreditsSchema(10, 11, new CreditsModelOptions { TablePrefix = "mf_" });

        Assert.Equal(["mf_credit_plans", "mf_credit_subscriptions", "mf_credit_subscription_periods"], migration.Operations.OfType<CreateTableOperation>().Select(t => t.Name));
        Assert.Equal([("mf_credit_plans", true), ("mf_credit_subscriptions", false)], migration.Operations.OfType<CreateIndexOperation>().Select(i => (i.Table, i.IsUnique)));
        Assert.Empty(migration.Operations.OfType<AddColumnOperation>());
        Assert.StartsWith("INSERT INTO \"mf_credit_schema_versions\" (version, applied_at) VALUES (11,", Assert.Single(migration.Operations.OfType<SqlOperation>()).Sql, StringComparison.Ordinal);
    }

    /// <summary>SQL Server and MariaDB never had a credit schema older than the current one (decision 0042): no steps to run.</summary>
    [Theory]
    [InlineData("Microsoft.EntityFrameworkCore.SqlServer")]
    [InlineData("MySql.EntityFrameworkCore")]
    public void UpgradeCreditsSchema_OtherProvider_IsRefused(string provider) =>
        Assert.Throws<NotSupportedException>(() => new MigrationBuilder(provider).UpgradeCreditsSchema(1, 2));
}
