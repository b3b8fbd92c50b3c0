using Microsoft.EntityFrameworkCore.Migrations;
using MediaForge.Credits.Storage.Configurations;

namespace MediaForge.Credits.Storage.Schema;

/// <summary>
/// The step from version 5 to version 6: the member who spent from a team wallet, on <c>usage_logs.member_id</c> and
/// <c>credit_reservations.member_id</c> (null for every earlier row: each was a user's use of their own credits).
/// </summary>
internal static class CreditsSchemaVersion6
{
    /// <summary>The column version 6 added to <c>usage_logs</c> and <c>credit_reservations</c>.</summary>
    public const string MemberColumn = "member_id";

    /// <summary>The tables that got <see cref="MemberColumn"/> (without the prefix).</summary>
    public static readonly string[] Tables = ["usage_logs", "credit_reservations"];

    public static void AddSchemaChanges(MigrationBuilder migrationBuilder, CreditsSchemaDialect d)
    {
        foreach (var table in Tables)
        {
            migrationBuilder.AddColumn<string>(MemberColumn, d.Name(table), maxLength: CreditsModelLimits.UserId, schema: d.Schema, nullable: true);
        }
    }
}
