using Microsoft.EntityFrameworkCore.Migrations;
using MediaForge.Credits.Storage.Configurations;

namespace MediaForge.Credits.Storage.Schema;

/// <summary>
/// The step from version 6 to version 7: the index by member on <c>usage_logs</c> (partial: only team uses carry a
/// member), and <c>credit_reservations.limit_counted</c>, whether a team hold's amount still counts against its
/// member's limit (so a release, a capture or an expiry gives it back exactly once), with a partial index of the counted
/// holds by expiry (the sweeper's second pass). Active team holds of version 6
/// were counted when placed: they are back-filled as counted; every other row as not.
/// </summary>
internal static class CreditsSchemaVersion7
{
    /// <summary>The column version 7 added to <c>credit_reservations</c>.</summary>
    public const string LimitColumn = "limit_counted";

    /// <summary>The columns of the index by member on <c>usage_logs</c>.</summary>
    public static readonly string[] MemberIndexColumns = ["member_id", "user_id", "created_at"];

    public static void AddSchemaChanges(MigrationBuilder migrationBuilder, CreditsSchemaDialect d)
    {
        migrationBuilder.AddColumn<bool>(LimitColumn, d.Name("credit_reservations"), schema: d.Schema, defaultValue: false);
        migrationBuilder.CreateIndex(d.IndexName("credit_reservations", "expires_at"), d.Name("credit_reservations"), ["expires_at"], d.Schema,
            filter: CreditsModelLimits.LimitCounted);
        migrationBuilder.CreateIndex(d.IndexName("usage_logs", MemberIndexColumns), d.Name("usage_logs"), MemberIndexColumns, d.Schema,
            filter: CreditsModelLimits.HasMemberId);
    }

    /// <summary>Marks the active, limited team holds as counted (they were counted when placed).</summary>
    public static string Backfill(CreditsSchemaDialect d) =>
        $"UPDATE {d.Table("credit_reservations")} SET {LimitColumn} = {d.True} WHERE member_id IS NOT NULL AND status = 'Active' AND is_unlimited = {d.False};";
}
