using Microsoft.EntityFrameworkCore.Migrations;
using MediaForge.Credits.Storage.Configurations;

namespace MediaForge.Credits.Storage.Schema;

/// <summary>
/// The step to version 9: host events. The outbox (<c>credit_events</c>), the wallets' low-balance alert state
/// (<c>credit_alert_states</c>) and the outbound webhooks' per-endpoint progress (<c>credit_webhook_deliveries</c>), all
/// empty: no earlier change raised an event.
/// </summary>
internal static class CreditsSchemaVersion9
{
    public const string EventTable = "credit_events";
    public const string AlertTable = "credit_alert_states";
    public const string WebhookTable = "credit_webhook_deliveries";

    /// <summary>The tables version 9 added (without the prefix).</summary>
    public static readonly string[] Tables = [EventTable, AlertTable, WebhookTable];

    public static void AddSchemaChanges(MigrationBuilder migrationBuilder, CreditsSchemaDialect d)
    {
        var schema = d.Schema;
        migrationBuilder.CreateTable(
            name: d.Name(EventTable),
            schema: schema,
            columns: table => new
            {
                id = table.Column<Guid>(),
                wallet_id = table.Column<string>(maxLength: CreditsModelLimits.UserId),
                type = table.Column<string>(maxLength: CreditsModelLimits.Name),
                payload = table.Column<string>(),
                occurred_at = table.Column<DateTime>(),
                attempts = table.Column<int>(),
                next_attempt_at = table.Column<DateTime>(),
                lease_owner = table.Column<Guid>(nullable: true),
                leased_until = table.Column<DateTime>(nullable: true),
                dispatched_at = table.Column<DateTime>(nullable: true),
                last_error = table.Column<string>(maxLength: CreditsModelLimits.Description, nullable: true),
            },
            constraints: table => table.PrimaryKey(d.PrimaryKeyName(EventTable), x => x.id));
        migrationBuilder.CreateIndex(d.IndexName(EventTable, "dispatched_at", "next_attempt_at"), d.Name(EventTable), ["dispatched_at", "next_attempt_at"], schema);
        migrationBuilder.CreateIndex(d.IndexName(EventTable, "wallet_id", "occurred_at"), d.Name(EventTable), ["wallet_id", "occurred_at"], schema);
        migrationBuilder.CreateTable(
            name: d.Name(AlertTable),
            schema: schema,
            columns: table => new
            {
                wallet_id = table.Column<string>(maxLength: CreditsModelLimits.UserId),
                low_balance_alerted = table.Column<bool>(),
                updated_at = table.Column<DateTime>(),
            },
            constraints: table => table.PrimaryKey(d.PrimaryKeyName(AlertTable), x => x.wallet_id));
        migrationBuilder.CreateTable(
            name: d.Name(WebhookTable),
            schema: schema,
            columns: table => new
            {
                event_id = table.Column<Guid>(),
                endpoint = table.Column<string>(maxLength: CreditsModelLimits.Name),
                attempts = table.Column<int>(),
                last_status = table.Column<int>(nullable: true),
                last_error = table.Column<string>(maxLength: CreditsModelLimits.Description, nullable: true),
                delivered_at = table.Column<DateTime>(nullable: true),
                updated_at = table.Column<DateTime>(),
            },
            constraints: table => table.PrimaryKey(d.PrimaryKeyName(WebhookTable), x => new { x.event_id, x.endpoint }));
    }
}
