using Microsoft.EntityFrameworkCore.Migrations;
using MediaForge.Credits.Storage.Configurations;

namespace MediaForge.Credits.Storage.Schema;

/// <summary>
/// The step from version 4 to version 5: the team tables (<c>credit_teams</c>, <c>credit_team_members</c>, empty) and
/// <c>purchases.purchased_by</c> (null for every earlier purchase: each was a user's own). Team wallets need no column
/// of their own: a wallet is an ordinary account named <c>mf:team:{id}</c>.
/// </summary>
internal static class CreditsSchemaVersion5
{
    /// <summary>The tables version 5 added (without the prefix).</summary>
    public static readonly string[] Tables = ["credit_teams", "credit_team_members"];

    /// <summary>The column version 5 added to <c>purchases</c>.</summary>
    public const string PurchaseColumn = "purchased_by";

    public static void AddSchemaChanges(MigrationBuilder migrationBuilder, CreditsSchemaDialect d)
    {
        var (schema, users, teams, members) = (d.Schema, d.Name("users"), d.Name(Tables[0]), d.Name(Tables[1]));
        migrationBuilder.AddColumn<string>(PurchaseColumn, d.Name("purchases"), maxLength: CreditsModelLimits.UserId, schema: schema, nullable: true);
        migrationBuilder.CreateTable(
            name: teams,
            schema: schema,
            columns: table => new
            {
                id = table.Column<string>(maxLength: CreditsModelLimits.TeamId),
                name = table.Column<string>(maxLength: CreditsModelLimits.TeamName),
                status = table.Column<string>(maxLength: CreditsModelLimits.EnumName),
                default_member_limit = table.Column<long>(nullable: true),
                source_version = table.Column<long>(nullable: true),
                created_at = table.Column<DateTime>(),
                updated_at = table.Column<DateTime>(),
                frozen_at = table.Column<DateTime>(nullable: true),
            },
            constraints: table => table.PrimaryKey(d.PrimaryKeyName(Tables[0]), x => x.id));
        migrationBuilder.CreateTable(
            name: members,
            schema: schema,
            columns: table => new
            {
                team_id = table.Column<string>(maxLength: CreditsModelLimits.TeamId),
                user_id = table.Column<string>(maxLength: CreditsModelLimits.UserId),
                role = table.Column<string>(maxLength: CreditsModelLimits.EnumName),
                spend_limit = table.Column<long>(nullable: true),
                period_spent = table.Column<long>(),
                period_start = table.Column<DateTime>(nullable: true),
                removed_at = table.Column<DateTime>(nullable: true),
                source_version = table.Column<long>(nullable: true),
                created_at = table.Column<DateTime>(),
                updated_at = table.Column<DateTime>(),
            },
            constraints: table =>
            {
                table.PrimaryKey(d.PrimaryKeyName(Tables[1]), x => new { x.team_id, x.user_id });
                table.ForeignKey(d.ForeignKeyName(Tables[1], Tables[0], "team_id"), x => x.team_id, teams, "id", schema, onDelete: ReferentialAction.Restrict);
                table.ForeignKey(d.ForeignKeyName(Tables[1], "users", "user_id"), x => x.user_id, users, "id", schema, onDelete: ReferentialAction.Restrict);
            });
        migrationBuilder.CreateIndex(d.IndexName(Tables[1], "user_id"), members, ["user_id"], schema);
    }
}
