using Microsoft.EntityFrameworkCore.Migrations;
using MediaForge.Credits.Storage.Configurations;

namespace MediaForge.Credits.Storage.Schema;

/// <summary>
/// The step from version 3 to version 4: the gift table (<c>credit_gifts</c>, empty) and <c>purchases.is_gift</c>, whose
/// default back-fills every earlier purchase as not a gift.
/// </summary>
internal static class CreditsSchemaVersion4
{
    /// <summary>The table version 4 added (without the prefix).</summary>
    public const string Table = "credit_gifts";

    /// <summary>The column version 4 added to <c>purchases</c>.</summary>
    public const string PurchaseColumn = "is_gift";

    public static void AddSchemaChanges(MigrationBuilder migrationBuilder, CreditsSchemaDialect d)
    {
        var (schema, users) = (d.Schema, d.Name("users"));
        migrationBuilder.AddColumn<bool>(PurchaseColumn, d.Name("purchases"), schema: schema, defaultValue: false);
        migrationBuilder.CreateTable(
            name: d.Name(Table),
            schema: schema,
            columns: table => new
            {
                id = table.Column<Guid>(),
                sender_id = table.Column<string>(maxLength: CreditsModelLimits.UserId),
                recipient_id = table.Column<string>(maxLength: CreditsModelLimits.UserId, nullable: true),
                amount = table.Column<long>(),
                redeemed_amount = table.Column<long>(),
                code_hash = table.Column<string>(maxLength: CreditsModelLimits.CodeHash),
                message = table.Column<string>(maxLength: CreditsModelLimits.Description, nullable: true),
                status = table.Column<int>(),
                purchase_id = table.Column<Guid>(nullable: true),
                idempotency_key = table.Column<string>(maxLength: CreditsModelLimits.IdempotencyKey, nullable: true),
                expires_at = table.Column<DateTime>(),
                created_at = table.Column<DateTime>(),
                settled_at = table.Column<DateTime>(nullable: true),
                updated_at = table.Column<DateTime>(),
            },
            constraints: table =>
            {
                table.PrimaryKey(d.PrimaryKeyName(Table), x => x.id);
                table.ForeignKey(d.ForeignKeyName(Table, "users", "sender_id"), x => x.sender_id, users, "id", schema, onDelete: ReferentialAction.Restrict);
                table.ForeignKey(d.ForeignKeyName(Table, "users", "recipient_id"), x => x.recipient_id, users, "id", schema, onDelete: ReferentialAction.Restrict);
            });
        Index(migrationBuilder, d, unique: true, null, "code_hash");
        Index(migrationBuilder, d, unique: true, CreditsModelLimits.HasPurchaseId, "purchase_id");
        Index(migrationBuilder, d, unique: true, CreditsModelLimits.HasIdempotencyKey, "sender_id", "idempotency_key");
        Index(migrationBuilder, d, unique: false, null, "status", "expires_at");
        Index(migrationBuilder, d, unique: false, null, "sender_id", "created_at");
        Index(migrationBuilder, d, unique: false, null, "recipient_id", "settled_at");
    }

    private static void Index(MigrationBuilder migrationBuilder, CreditsSchemaDialect d, bool unique, string? filter, params string[] columns) =>
        migrationBuilder.CreateIndex(d.IndexName(Table, columns), d.Name(Table), columns, d.Schema, unique, filter);
}
