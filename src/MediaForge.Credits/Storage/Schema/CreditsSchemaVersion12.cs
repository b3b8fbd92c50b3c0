using Microsoft.EntityFrameworkCore.Migrations;
using MediaForge.Credits.Storage.Configurations;

namespace MediaForge.Credits.Storage.Schema;

/// <summary>
/// The step to version 12: auto top-up — <c>credit_auto_top_ups</c> (a wallet's settings, saved payment method, the
/// month's count and money, failures in a row) and <c>credit_top_ups</c> (one row per crossing), both empty for an
/// earlier database.
/// </summary>
internal static class CreditsSchemaVersion12
{
    /// <summary>The settings table (without the prefix).</summary>
    public const string SettingsTable = "credit_auto_top_ups";

    /// <summary>The top-up table (without the prefix).</summary>
    public const string TopUpTable = "credit_top_ups";

    /// <summary>The tables version 12 added (without the prefix).</summary>
    public static readonly string[] Tables = [SettingsTable, TopUpTable];

    public static void AddSchemaChanges(MigrationBuilder migrationBuilder, CreditsSchemaDialect d)
    {
        var (schema, settings, topUps) = (d.Schema, d.Name(SettingsTable), d.Name(TopUpTable));
        migrationBuilder.CreateTable(
            name: settings,
            schema: schema,
            columns: table => new
            {
                wallet_id = table.Column<string>(maxLength: CreditsModelLimits.UserId),
                enabled = table.Column<bool>(),
                threshold = table.Column<long>(),
                package_id = table.Column<string>(maxLength: CreditsModelLimits.Name),
                credits = table.Column<long>(),
                price_cents = table.Column<long>(),
                currency = table.Column<string>(maxLength: 3),
                max_per_month = table.Column<int>(),
                max_amount_per_month_cents = table.Column<long>(),
                customer_id = table.Column<string>(maxLength: CreditsModelLimits.Reference, nullable: true),
                payment_method_id = table.Column<string>(maxLength: CreditsModelLimits.Reference, nullable: true),
                month_start = table.Column<DateTime>(),
                month_count = table.Column<int>(),
                month_amount_cents = table.Column<long>(),
                consecutive_failures = table.Column<int>(),
                paused_at = table.Column<DateTime>(nullable: true),
                created_at = table.Column<DateTime>(),
                updated_at = table.Column<DateTime>(),
            },
            constraints: table => table.PrimaryKey(d.PrimaryKeyName(SettingsTable), x => x.wallet_id));
        migrationBuilder.CreateTable(
            name: topUps,
            schema: schema,
            columns: table => new
            {
                id = table.Column<Guid>(),
                wallet_id = table.Column<string>(maxLength: CreditsModelLimits.UserId),
                package_id = table.Column<string>(maxLength: CreditsModelLimits.Name),
                credits = table.Column<long>(),
                amount_cents = table.Column<long>(),
                currency = table.Column<string>(maxLength: 3),
                customer_id = table.Column<string>(maxLength: CreditsModelLimits.Reference),
                payment_method_id = table.Column<string>(maxLength: CreditsModelLimits.Reference),
                status = table.Column<string>(maxLength: CreditsModelLimits.EnumName),
                failed_attempts = table.Column<int>(),
                next_attempt_at = table.Column<DateTime>(),
                lease_owner = table.Column<Guid>(nullable: true),
                leased_until = table.Column<DateTime>(nullable: true),
                payment_intent_id = table.Column<string>(maxLength: CreditsModelLimits.Reference, nullable: true),
                last_error = table.Column<string>(maxLength: CreditsModelLimits.Description, nullable: true),
                month_start = table.Column<DateTime>(),
                created_at = table.Column<DateTime>(),
                updated_at = table.Column<DateTime>(),
            },
            constraints: table => table.PrimaryKey(d.PrimaryKeyName(TopUpTable), x => x.id));
        migrationBuilder.CreateIndex(d.IndexName(TopUpTable, "status", "next_attempt_at"), topUps, ["status", "next_attempt_at"], schema);
        migrationBuilder.CreateIndex(d.IndexName(TopUpTable, "wallet_id"), topUps, ["wallet_id"], schema);
    }
}
