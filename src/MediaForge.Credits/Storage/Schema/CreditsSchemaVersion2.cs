using Microsoft.EntityFrameworkCore.Migrations;

namespace MediaForge.Credits.Storage.Schema;

/// <summary>
/// The step from version 1 (before the analytics roll-up) to version 2: its tables, columns and indexes, and the
/// back-fill of the derived usage data from the raw usage logs. The back-fill rebuilds (not adds to) the roll-up, the
/// counters and the running totals, so it is right whatever they held before.
/// </summary>
internal static class CreditsSchemaVersion2
{
    public static void AddSchemaChanges(MigrationBuilder migrationBuilder, CreditsSchemaDialect d)
    {
        var schema = d.Schema;
        migrationBuilder.CreateTable(
            name: d.Name("credit_usage_hours"),
            schema: schema,
            columns: table => new
            {
                hour_start = table.Column<DateTime>(),
                feature = table.Column<string>(maxLength: 64),
                model = table.Column<string>(maxLength: 64),
                is_unlimited = table.Column<bool>(),
                shard = table.Column<int>(),
                uses = table.Column<long>(),
                credits = table.Column<long>(),
                value = table.Column<long>(),
            },
            constraints: table => table.PrimaryKey(d.PrimaryKeyName("credit_usage_hours"),
                x => new { x.hour_start, x.feature, x.model, x.is_unlimited, x.shard }));
        migrationBuilder.CreateTable(
            name: d.Name(CreditsSchema.VersionTable),
            schema: schema,
            columns: table => new { version = table.Column<int>(), applied_at = table.Column<DateTime>() },
            constraints: table => table.PrimaryKey(d.PrimaryKeyName(CreditsSchema.VersionTable), x => x.version));

        migrationBuilder.AddColumn<long>("profile_version", d.Name("users"), schema: schema, nullable: true);
        migrationBuilder.AddColumn<long>("requested_amount", d.Name("credit_reservations"), schema: schema, defaultValue: 0L);
        migrationBuilder.AddColumn<long>("usage_count", d.Name("credits"), schema: schema, defaultValue: 0L);
        migrationBuilder.AddColumn<long>("usage_credits", d.Name("credits"), schema: schema, defaultValue: 0L);
        migrationBuilder.AddColumn<DateTime>("last_usage_at", d.Name("credits"), schema: schema, nullable: true);
        migrationBuilder.AddColumn<DateTime>("first_usage_at", d.Name("credits"), schema: schema, nullable: true);
        migrationBuilder.AddColumn<long>("cumulative_uses", d.Name("usage_logs"), schema: schema, nullable: true);
        migrationBuilder.AddColumn<long>("cumulative_credits", d.Name("usage_logs"), schema: schema, nullable: true);

        ReplaceIndex(migrationBuilder, d, "usage_logs", ["user_id", "created_at"], ["user_id", "created_at", "cumulative_uses", "cumulative_credits"]);
        ReplaceIndex(migrationBuilder, d, "purchases", ["created_at"], ["created_at", "status", "provider", "currency", "amount_cents"]);
        ReplaceIndex(migrationBuilder, d, "purchases", ["status", "completed_at"],
            ["status", "completed_at", "provider", "package_id", "currency", "credits", "amount_cents"]);
        string[] ledgerColumns = ["type", "created_at", "user_id", "amount"];
        migrationBuilder.CreateIndex(d.IndexName("credit_transactions", ledgerColumns), d.Name("credit_transactions"), ledgerColumns,
            schema: schema, filter: Configurations.CreditsModelLimits.NotUsageCharge);
    }

    /// <summary>The back-fill statements, in order.</summary>
    public static IEnumerable<string> Backfill(CreditsSchemaDialect d)
    {
        var logs = d.Table("usage_logs");
        var hours = d.Table("credit_usage_hours");
        var accounts = d.Table("credits");
        var charged = $"is_unlimited = {d.False}";
        var hour = d.HourOf("created_at");

        // The hourly roll-up: every hour of history in shard 0 (readers sum the shards, so where history sits does not
        // change a report; live writes go on adding to their users' shards).
        yield return $"DELETE FROM {hours};";
        yield return $"INSERT INTO {hours} (hour_start, feature, model, is_unlimited, shard, uses, credits, value)"
            + $" SELECT {hour}, feature, model, is_unlimited, 0, COUNT(*), SUM(credits_used), SUM(price) FROM {logs}"
            + $" GROUP BY {hour}, feature, model, is_unlimited;";

        // Running totals of each user's charged uses in time order (ties: by id, a stable order the ledger keeps from
        // then on); unlimited uses have none.
        yield return $"UPDATE {logs} SET cumulative_uses = NULL, cumulative_credits = NULL WHERE NOT ({charged});";
        yield return $"UPDATE {logs} AS u SET cumulative_uses = r.uses, cumulative_credits = r.credits"
            + " FROM (SELECT id AS log_id, ROW_NUMBER() OVER w AS uses, SUM(credits_used) OVER w AS credits"
            + $" FROM {logs} WHERE {charged}"
            + " WINDOW w AS (PARTITION BY user_id ORDER BY created_at, id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)) AS r"
            + " WHERE u.id = r.log_id;";

        // The account's usage counters: charged uses, their credits, the first and the last.
        yield return $"UPDATE {accounts} SET usage_count = 0, usage_credits = 0, first_usage_at = NULL, last_usage_at = NULL;";
        yield return $"UPDATE {accounts} AS a SET usage_count = s.uses, usage_credits = s.credits, first_usage_at = s.first_at, last_usage_at = s.last_at"
            + " FROM (SELECT user_id AS log_user, COUNT(*) AS uses, SUM(credits_used) AS credits, MIN(created_at) AS first_at, MAX(created_at) AS last_at"
            + $" FROM {logs} WHERE {charged} GROUP BY user_id) AS s WHERE a.user_id = s.log_user;";

        // A hold taken before version 2 asked for what it holds (a retry with its key asks the same amount again).
        yield return $"UPDATE {d.Table("credit_reservations")} SET requested_amount = amount WHERE requested_amount = 0;";
    }

    private static void ReplaceIndex(MigrationBuilder migrationBuilder, CreditsSchemaDialect d, string table, string[] before, string[] after)
    {
        migrationBuilder.DropIndex(d.IndexName(table, before), d.Name(table), d.Schema);
        migrationBuilder.CreateIndex(d.IndexName(table, after), d.Name(table), after, d.Schema);
    }
}
