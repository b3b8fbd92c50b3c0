using Microsoft.EntityFrameworkCore.Migrations;

namespace MediaForge.Credits.Storage.Schema;

/// <summary>
/// The step to version 8: each lot's category and priority (<c>credit_grants.category</c>, <c>credit_grants.priority</c>).
/// Every earlier lot was an expiring grant; it is back-filled from its ledger row's type with the default burn order:
/// bonuses (free packages, sign-up and referral bonuses) promotional (20), everything else paid (30): purchases,
/// restored disputes and received transfers, whose origin is not kept.
/// </summary>
internal static class CreditsSchemaVersion8
{
    /// <summary>The table version 8 changed (without the prefix).</summary>
    public const string Table = "credit_grants";

    /// <summary>The columns version 8 added to <see cref="Table"/>.</summary>
    public static readonly string[] Columns = ["category", "priority"];

    public static void AddSchemaChanges(MigrationBuilder migrationBuilder, CreditsSchemaDialect d)
    {
        migrationBuilder.AddColumn<string>(Columns[0], d.Name(Table), maxLength: CreditCategory.MaxNameLength, schema: d.Schema,
            defaultValue: CreditCategory.Paid.Name);
        migrationBuilder.AddColumn<int>(Columns[1], d.Name(Table), schema: d.Schema, defaultValue: 0);
    }

    /// <summary>The back-fill of the lots granted before version 8.</summary>
    public static IEnumerable<string> Backfill(CreditsSchemaDialect d)
    {
        var (grants, transactions) = (d.Table(Table), d.Table("credit_transactions"));
        var bonus = $"(SELECT t.type FROM {transactions} t WHERE t.id = {grants}.transaction_id) = '{nameof(CreditTransactionType.Bonus)}'";
        yield return $"UPDATE {grants} SET category = CASE WHEN {bonus} THEN '{CreditCategory.Promotional.Name}' ELSE '{CreditCategory.Paid.Name}' END,"
            + $" priority = CASE WHEN {bonus} THEN 20 ELSE 30 END;";
    }
}
