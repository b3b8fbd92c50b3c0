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
    [InlineData(11, 11)]
    [InlineData(1, 12)]
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

    [Theory]
    [InlineData(6)]
    [InlineData(10)]
    public void UpgradeCreditsSchema_ToVersion11_AddsOnlyTheSubscriptionTablesAndRecordsTheVersion(int from)
    {
        var migration = new MigrationBuilder(Postgres);

        migration.UpgradeCreditsSchema(from, 11, new CreditsModelOptions { TablePrefix = "mf_" });

        Assert.Equal(["mf_credit_plans", "mf_credit_subscriptions", "mf_credit_subscription_periods"], migration.Operations.OfType<CreateTableOperation>().Select(t => t.Name));
        Assert.Equal([("mf_credit_plans", true), ("mf_credit_subscriptions", false)], migration.Operations.OfType<CreateIndexOperation>().Select(i => (i.Table, i.IsUnique)));
        Assert.Empty(migration.Operations.OfType<AddColumnOperation>());
        Assert.StartsWith("INSERT INTO \"mf_credit_schema_versions\" (version, applied_at) VALUES (11,", Assert.Single(migration.Operations.OfType<SqlOperation>()).Sql, StringComparison.Ordinal);
    }

    [Fact]
    public void UpgradeCreditsSchema_OtherProvider_IsRefused() =>
        Assert.Throws<NotSupportedException>(() => new MigrationBuilder("Microsoft.EntityFrameworkCore.SqlServer").UpgradeCreditsSchema(1, 2));
}
