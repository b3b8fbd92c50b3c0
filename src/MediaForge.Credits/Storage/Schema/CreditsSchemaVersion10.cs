using Microsoft.EntityFrameworkCore.Migrations;
using MediaForge.Credits.Storage.Configurations;

namespace MediaForge.Credits.Storage.Schema;

/// <summary>
/// The step to version 10: volume discounts. The tier table (<c>credit_package_tiers</c>, empty: an upgrade never
/// changes an existing catalogue's prices) and <c>purchases.quantity</c>, back-filled 1 (every earlier purchase was one pack).
/// </summary>
internal static class CreditsSchemaVersion10
{
    /// <summary>The table version 10 added (without the prefix).</summary>
    public const string Table = "credit_package_tiers";

    /// <summary>The column version 10 added to <c>purchases</c>.</summary>
    public const string PurchaseColumn = "quantity";

    public static void AddSchemaChanges(MigrationBuilder migrationBuilder, CreditsSchemaDialect d)
    {
        var (schema, packages) = (d.Schema, d.Name("credit_packages"));
        migrationBuilder.AddColumn<int>(PurchaseColumn, d.Name("purchases"), schema: schema, nullable: true);
        migrationBuilder.CreateTable(
            name: d.Name(Table),
            schema: schema,
            columns: table => new
            {
                package_id = table.Column<string>(maxLength: CreditsModelLimits.Name),
                min_credits = table.Column<long>(),
                discount_basis_points = table.Column<int>(),
                created_at = table.Column<DateTime>(),
            },
            constraints: table =>
            {
                table.PrimaryKey(d.PrimaryKeyName(Table), x => new { x.package_id, x.min_credits });
                table.ForeignKey(d.ForeignKeyName(Table, "credit_packages", "package_id"), x => x.package_id, packages, "id", schema, onDelete: ReferentialAction.Cascade);
            });
    }

    /// <summary>Every purchase made before the step bought one pack (also when EF Core generated the column).</summary>
    public static string Backfill(CreditsSchemaDialect d) => $"UPDATE {d.Table("purchases")} SET {PurchaseColumn} = 1 WHERE {PurchaseColumn} IS NULL;";
}
