using Microsoft.EntityFrameworkCore.Migrations;
using MediaForge.Credits.Storage.Configurations;

namespace MediaForge.Credits.Storage.Schema;

/// <summary>
/// The step to version 11: subscription plans and allowances — <c>credit_plans</c> (next to the packages, seeded at
/// set-up), <c>credit_subscriptions</c> and <c>credit_subscription_periods</c>, all empty for an earlier database.
/// </summary>
internal static class CreditsSchemaVersion11
{
    /// <summary>The tables version 11 added (without the prefix).</summary>
    public static readonly string[] Tables = ["credit_plans", "credit_subscriptions", "credit_subscription_periods"];

    public static void AddSchemaChanges(MigrationBuilder migrationBuilder, CreditsSchemaDialect d)
    {
        var (schema, users, plans, subscriptions, periods) = (d.Schema, d.Name("users"), d.Name(Tables[0]), d.Name(Tables[1]), d.Name(Tables[2]));
        migrationBuilder.CreateTable(
            name: plans,
            schema: schema,
            columns: table => new
            {
                id = table.Column<string>(maxLength: CreditsModelLimits.Name),
                name = table.Column<string>(maxLength: 100),
                description = table.Column<string>(maxLength: CreditsModelLimits.Description, nullable: true),
                stripe_price_id = table.Column<string>(maxLength: CreditsModelLimits.Reference),
                credits_per_period = table.Column<long>(),
                rollover_policy = table.Column<string>(maxLength: CreditsModelLimits.EnumName),
                rollover_cap = table.Column<long>(nullable: true),
                trial_credits = table.Column<long>(nullable: true),
                price_cents = table.Column<long>(),
                currency = table.Column<string>(maxLength: 3),
                interval = table.Column<string>(maxLength: CreditsModelLimits.EnumName),
                is_active = table.Column<bool>(),
                sort_order = table.Column<int>(),
                created_at = table.Column<DateTime>(),
                updated_at = table.Column<DateTime>(),
            },
            constraints: table => table.PrimaryKey(d.PrimaryKeyName(Tables[0]), x => x.id));
        migrationBuilder.CreateTable(
            name: subscriptions,
            schema: schema,
            columns: table => new
            {
                id = table.Column<string>(maxLength: CreditsModelLimits.Reference),
                user_id = table.Column<string>(maxLength: CreditsModelLimits.UserId),
                customer_id = table.Column<string>(maxLength: CreditsModelLimits.Reference, nullable: true),
                plan_id = table.Column<string>(maxLength: CreditsModelLimits.Name),
                status = table.Column<string>(maxLength: CreditsModelLimits.EnumName),
                current_period_start = table.Column<DateTime>(nullable: true),
                current_period_end = table.Column<DateTime>(nullable: true),
                ended_at = table.Column<DateTime>(nullable: true),
                source_version = table.Column<long>(),
                created_at = table.Column<DateTime>(),
                updated_at = table.Column<DateTime>(),
            },
            constraints: table =>
            {
                table.PrimaryKey(d.PrimaryKeyName(Tables[1]), x => x.id);
                table.ForeignKey(d.ForeignKeyName(Tables[1], "users", "user_id"), x => x.user_id, users, "id", schema, onDelete: ReferentialAction.Restrict);
            });
        migrationBuilder.CreateTable(
            name: periods,
            schema: schema,
            columns: table => new
            {
                subscription_id = table.Column<string>(maxLength: CreditsModelLimits.Reference),
                period_end = table.Column<DateTime>(),
                period_start = table.Column<DateTime>(),
                plan_id = table.Column<string>(maxLength: CreditsModelLimits.Name),
                target = table.Column<long>(),
                granted = table.Column<long>(),
                carried_in = table.Column<long>(),
                paid = table.Column<bool>(),
                created_at = table.Column<DateTime>(),
                updated_at = table.Column<DateTime>(),
            },
            constraints: table =>
            {
                table.PrimaryKey(d.PrimaryKeyName(Tables[2]), x => new { x.subscription_id, x.period_end });
                table.ForeignKey(d.ForeignKeyName(Tables[2], Tables[1], "subscription_id"), x => x.subscription_id, subscriptions, "id", schema,
                    onDelete: ReferentialAction.Restrict);
            });
        migrationBuilder.CreateIndex(d.IndexName(Tables[0], "stripe_price_id"), plans, ["stripe_price_id"], schema, unique: true);
        migrationBuilder.CreateIndex(d.IndexName(Tables[1], "user_id"), subscriptions, ["user_id"], schema);
    }
}
