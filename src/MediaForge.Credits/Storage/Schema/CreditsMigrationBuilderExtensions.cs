using MediaForge.Credits.Storage.Schema;

namespace Microsoft.EntityFrameworkCore.Migrations;

/// <summary>The credit schema's upgrade steps, for a host's EF Core migration (SQLite and PostgreSQL).</summary>
public static class CreditsMigrationBuilderExtensions
{
    /// <summary>
    /// Brings the credit tables from schema version <paramref name="from"/> to <paramref name="to"/>: adds the tables,
    /// columns and indexes each version added (unless <paramref name="schemaChangesGenerated"/>), back-fills the data
    /// derived from the raw usage logs (the hourly roll-up <c>credit_usage_hours</c>, the account's usage counters and
    /// the usage logs' running totals, from version 1) and records <paramref name="to"/> in <c>credit_schema_versions</c>.
    /// Version 1 is the schema before the analytics roll-up; version 2 added it; version 3 added the referral tables;
    /// version 4 added the gift table and <c>purchases.is_gift</c> (back-filled false); version 5 added the team tables and
    /// <c>purchases.purchased_by</c> (back-filled null: every earlier purchase was its user's own); version 6 added
    /// <c>usage_logs.member_id</c> and <c>credit_reservations.member_id</c> (back-filled null: every earlier use and hold
    /// was of the user's own credits); version 7 added the index by member on <c>usage_logs</c> and
    /// <c>credit_reservations.limit_counted</c> (back-filled true for active, limited team holds, which were counted when placed);
    /// version 8 added <c>credit_grants.category</c> and
    /// <c>credit_grants.priority</c> (back-filled from each lot's ledger row: bonuses promotional, the rest paid, with the
    /// default priorities); version 9 added the host-event tables (<c>credit_events</c>,
    /// <c>credit_alert_states</c>, <c>credit_webhook_deliveries</c>, empty); version 10 added the volume discounts'
    /// table <c>credit_package_tiers</c> (empty) and <c>purchases.quantity</c> (back-filled 1: every earlier purchase was one pack); version 11 added the subscription tables
    /// <c>credit_plans</c>, <c>credit_subscriptions</c> and <c>credit_subscription_periods</c> (empty); version 12 (the current one)
    /// added the auto top-up tables <c>credit_auto_top_ups</c> and <c>credit_top_ups</c> (empty).
    /// Call it in the <c>Up</c> of a migration, with no instance of the older library writing meanwhile
    /// (it does not keep the derived data).
    /// </summary>
    /// <param name="migrationBuilder">The migration's builder.</param>
    /// <param name="from">The version the database is at (1 to 11).</param>
    /// <param name="to">The version to bring it to (up to 12, the current one).</param>
    /// <param name="options">The table prefix and schema given to <c>ApplyCreditsModel</c>; default: none.</param>
    /// <param name="schemaChangesGenerated">
    /// <see langword="true"/> when the migration already holds the table, column and index changes (EF Core generated
    /// them from your model's credit tables above this call): then only the back-fill and the version row are added.
    /// </param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A version outside 1 to the current one, or <paramref name="to"/> not after <paramref name="from"/>.</exception>
    /// <exception cref="NotSupportedException">The migration's provider is neither SQLite nor PostgreSQL.</exception>
    public static MigrationBuilder UpgradeCreditsSchema(this MigrationBuilder migrationBuilder, int from, int to,
        CreditsModelOptions? options = null, bool schemaChangesGenerated = false)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        ArgumentOutOfRangeException.ThrowIfLessThan(from, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(to, from);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(to, CreditsSchema.CurrentVersion);
        var dialect = CreditsSchemaDialect.For(migrationBuilder.ActiveProvider, options);
        // Each step in order; a later version adds its step after the last.
        if (from < 2)
        {
            if (!schemaChangesGenerated)
            {
                CreditsSchemaVersion2.AddSchemaChanges(migrationBuilder, dialect);
            }

            foreach (var statement in CreditsSchemaVersion2.Backfill(dialect))
            {
                migrationBuilder.Sql(statement);
            }
        }

        if (from < 3 && to >= 3 && !schemaChangesGenerated)
        {
            CreditsSchemaVersion3.AddSchemaChanges(migrationBuilder, dialect);
        }

        if (from < 4 && to >= 4 && !schemaChangesGenerated)
        {
            CreditsSchemaVersion4.AddSchemaChanges(migrationBuilder, dialect);
        }

        if (from < 5 && to >= 5 && !schemaChangesGenerated)
        {
            CreditsSchemaVersion5.AddSchemaChanges(migrationBuilder, dialect);
        }

        if (from < 6 && to >= 6 && !schemaChangesGenerated)
        {
            CreditsSchemaVersion6.AddSchemaChanges(migrationBuilder, dialect);
        }

        if (from < 7 && to >= 7)
        {
            if (!schemaChangesGenerated)
            {
                CreditsSchemaVersion7.AddSchemaChanges(migrationBuilder, dialect);
            }

            migrationBuilder.Sql(CreditsSchemaVersion7.Backfill(dialect));
        }

        if (from < 8 && to >= 8)
        {
            if (!schemaChangesGenerated)
            {
                CreditsSchemaVersion8.AddSchemaChanges(migrationBuilder, dialect);
            }

            foreach (var statement in CreditsSchemaVersion8.Backfill(dialect))
            {
                migrationBuilder.Sql(statement);
            }
        }

        if (from < 9 && to >= 9 && !schemaChangesGenerated)
        {
            CreditsSchemaVersion9.AddSchemaChanges(migrationBuilder, dialect);
        }

        if (from < 10 && to >= 10)
        {
            if (!schemaChangesGenerated)
            {
                CreditsSchemaVersion10.AddSchemaChanges(migrationBuilder, dialect);
            }

            migrationBuilder.Sql(CreditsSchemaVersion10.Backfill(dialect));
        }

        if (from < 11 && to >= 11 && !schemaChangesGenerated)
        {
            CreditsSchemaVersion11.AddSchemaChanges(migrationBuilder, dialect);
        }

        if (from < 12 && to >= 12 && !schemaChangesGenerated)
        {
            CreditsSchemaVersion12.AddSchemaChanges(migrationBuilder, dialect);
        }

        migrationBuilder.Sql(dialect.RecordVersion(to));
        return migrationBuilder;
    }
}
