using Microsoft.EntityFrameworkCore.Migrations;
using MediaForge.Credits.Storage.Configurations;

namespace MediaForge.Credits.Storage.Schema;

/// <summary>The step from version 2 to version 3: the referral tables (<c>credit_referral_codes</c>, <c>credit_referrals</c>), empty.</summary>
internal static class CreditsSchemaVersion3
{
    /// <summary>The tables version 3 added (without the prefix).</summary>
    public static readonly string[] Tables = ["credit_referral_codes", "credit_referrals"];

    public static void AddSchemaChanges(MigrationBuilder migrationBuilder, CreditsSchemaDialect d)
    {
        var (schema, users, codes, referrals) = (d.Schema, d.Name("users"), d.Name(Tables[0]), d.Name(Tables[1]));
        migrationBuilder.CreateTable(
            name: codes,
            schema: schema,
            columns: table => new
            {
                user_id = table.Column<string>(maxLength: CreditsModelLimits.UserId),
                code = table.Column<string>(maxLength: CreditsModelLimits.ReferralCode),
                created_at = table.Column<DateTime>(),
            },
            constraints: table =>
            {
                table.PrimaryKey(d.PrimaryKeyName(Tables[0]), x => x.user_id);
                table.ForeignKey(d.ForeignKeyName(Tables[0], "users", "user_id"), x => x.user_id, users, "id", schema, onDelete: ReferentialAction.Restrict);
            });
        migrationBuilder.CreateTable(
            name: referrals,
            schema: schema,
            columns: table => new
            {
                id = table.Column<Guid>(),
                referee_id = table.Column<string>(maxLength: CreditsModelLimits.UserId),
                referrer_id = table.Column<string>(maxLength: CreditsModelLimits.UserId),
                code = table.Column<string>(maxLength: CreditsModelLimits.ReferralCode),
                referee_email_hash = table.Column<string>(maxLength: CreditsModelLimits.EmailHash, nullable: true),
                status = table.Column<string>(maxLength: CreditsModelLimits.EnumName),
                referee_bonus = table.Column<long>(),
                referee_bonus_transaction_id = table.Column<Guid>(nullable: true),
                attached_at = table.Column<DateTime>(),
                qualified_at = table.Column<DateTime>(nullable: true),
                qualifying_purchase_id = table.Column<Guid>(nullable: true),
                qualifying_reference = table.Column<string>(maxLength: CreditsModelLimits.Reference, nullable: true),
                reward = table.Column<long>(),
                reward_transaction_id = table.Column<Guid>(nullable: true),
                rewarded_at = table.Column<DateTime>(nullable: true),
                clawed_back_at = table.Column<DateTime>(nullable: true),
                credits_clawed_back = table.Column<long>(),
            },
            constraints: table =>
            {
                table.PrimaryKey(d.PrimaryKeyName(Tables[1]), x => x.id);
                table.ForeignKey(d.ForeignKeyName(Tables[1], "users", "referee_id"), x => x.referee_id, users, "id", schema, onDelete: ReferentialAction.Restrict);
                table.ForeignKey(d.ForeignKeyName(Tables[1], "users", "referrer_id"), x => x.referrer_id, users, "id", schema, onDelete: ReferentialAction.Restrict);
            });
        Index(migrationBuilder, d, Tables[0], unique: true, "code");
        Index(migrationBuilder, d, Tables[0], unique: false, "created_at");
        Index(migrationBuilder, d, Tables[1], unique: true, "referee_id");
        Index(migrationBuilder, d, Tables[1], unique: true, "referee_email_hash");
        Index(migrationBuilder, d, Tables[1], unique: false, "referrer_id", "attached_at");
        Index(migrationBuilder, d, Tables[1], unique: false, "referrer_id", "rewarded_at");
        Index(migrationBuilder, d, Tables[1], unique: false, "qualifying_purchase_id");
        Index(migrationBuilder, d, Tables[1], unique: false, "attached_at");
    }

    private static void Index(MigrationBuilder migrationBuilder, CreditsSchemaDialect d, string table, bool unique, params string[] columns) =>
        migrationBuilder.CreateIndex(d.IndexName(table, columns), d.Name(table), columns, d.Schema, unique);
}
