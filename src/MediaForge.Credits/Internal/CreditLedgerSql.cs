using System.Data.Common;
using System.Runtime.CompilerServices;
using MediaForge.Credits.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace MediaForge.Credits.Internal;

/// <summary>
/// The one provider-specific seam: the SQL of the conditional balance updates and the ledger inserts, generated from
/// the EF model (so table prefixes, schemas and column names always match) and run through EF's command pipeline
/// (logging, interceptors). Standard SQL everywhere except how the new balance comes back: <c>RETURNING</c> on SQLite
/// and PostgreSQL, <c>OUTPUT INSERTED</c> on SQL Server.
/// </summary>
internal sealed class CreditLedgerSql
{
    private static readonly ConditionalWeakTable<IModel, CreditLedgerSql> Cache = new();

    private CreditLedgerSql(DbContext db)
    {
        var helper = db.GetService<ISqlGenerationHelper>();
        var sqlServer = db.Database.ProviderName?.EndsWith(".SqlServer", StringComparison.Ordinal) == true;
        var accounts = new TableNames(db.Model, typeof(CreditAccount), helper);
        var users = new TableNames(db.Model, typeof(CreditUser), helper);

        var nextExpiry = accounts.Column(nameof(CreditAccount.NextExpiryAt));
        string Returning(string column) => sqlServer ? ""
            : $" RETURNING {column} AS {helper.DelimitIdentifier(nameof(LedgerBalance.Balance))}, {nextExpiry} AS {helper.DelimitIdentifier(nameof(LedgerBalance.NextExpiryAt))}";
        string Output(string column) => sqlServer
            ? $" OUTPUT INSERTED.{column} AS {helper.DelimitIdentifier(nameof(LedgerBalance.Balance))}, INSERTED.{nextExpiry} AS {helper.DelimitIdentifier(nameof(LedgerBalance.NextExpiryAt))}"
            : "";

        var balance = accounts.Column(nameof(CreditAccount.Balance));
        var reserved = accounts.Column(nameof(CreditAccount.Reserved));
        var granted = accounts.Column(nameof(CreditAccount.TotalGranted));
        var consumed = accounts.Column(nameof(CreditAccount.TotalConsumed));
        var updatedAt = accounts.Column(nameof(CreditAccount.UpdatedAt));
        var accountUser = accounts.Column(nameof(CreditAccount.UserId));
        var userId = users.Column(nameof(CreditUser.Id));
        var isAdmin = users.Column(nameof(CreditUser.IsAdmin));

        // {0} user id, {1} amount, {2} now, {3} true. Refused when credits have lapsed and their expiry is not written yet.
        Debit = new SqlStatement(
            $"UPDATE {accounts.Table} SET {balance} = {balance} - {{1}}, {consumed} = {consumed} + {{1}}, {updatedAt} = {{2}}"
            + Output(balance)
            + $" WHERE {accountUser} = {{0}} AND {balance} - {reserved} >= {{1}} AND ({nextExpiry} IS NULL OR {nextExpiry} > {{2}})"
            + $" AND NOT EXISTS (SELECT 1 FROM {users.Table} WHERE {userId} = {{0}} AND {isAdmin} = {{3}})"
            + Returning(balance),
            [accounts.Property(nameof(CreditAccount.UserId)), accounts.Property(nameof(CreditAccount.Balance)),
             accounts.Property(nameof(CreditAccount.UpdatedAt)), users.Property(nameof(CreditUser.IsAdmin))]);

        // {0} user id, {1} amount, {2} now
        Credit = new SqlStatement(
            $"UPDATE {accounts.Table} SET {balance} = {balance} + {{1}}, {granted} = {granted} + {{1}}, {updatedAt} = {{2}}"
            + Output(balance)
            + $" WHERE {accountUser} = {{0}}"
            + Returning(balance),
            [accounts.Property(nameof(CreditAccount.UserId)), accounts.Property(nameof(CreditAccount.Balance)),
             accounts.Property(nameof(CreditAccount.UpdatedAt))]);

        // {0} user id, {1} false, {2} now, {3} zero
        EnsureAccount = new SqlStatement(
            $"INSERT INTO {users.Table} ({userId}, {isAdmin}, {users.Column(nameof(CreditUser.CreatedAt))}, {users.Column(nameof(CreditUser.UpdatedAt))})"
            + $" SELECT {{0}}, {{1}}, {{2}}, {{2}} WHERE NOT EXISTS (SELECT 1 FROM {users.Table} WHERE {userId} = {{0}});"
            + $" INSERT INTO {accounts.Table} ({accountUser}, {balance}, {reserved}, {granted}, {consumed}, {accounts.Column(nameof(CreditAccount.CreatedAt))}, {updatedAt})"
            + $" SELECT {{0}}, {{3}}, {{3}}, {{3}}, {{3}}, {{2}}, {{2}} WHERE NOT EXISTS (SELECT 1 FROM {accounts.Table} WHERE {accountUser} = {{0}})",
            [users.Property(nameof(CreditUser.Id)), users.Property(nameof(CreditUser.IsAdmin)),
             users.Property(nameof(CreditUser.CreatedAt)), accounts.Property(nameof(CreditAccount.Balance))]);

        InsertTransaction = Insert(db.Model, typeof(CreditTransaction), helper, 0);
        InsertUsageLog = Insert(db.Model, typeof(UsageLog), helper, 0);
        InsertTransactionAndUsageLog = new SqlStatement(
            InsertTransaction.Text + "; " + Insert(db.Model, typeof(UsageLog), helper, InsertTransaction.Parameters.Count).Text,
            [.. InsertTransaction.Parameters, .. InsertUsageLog.Parameters]);
    }

    public SqlStatement Debit { get; }

    public SqlStatement Credit { get; }

    public SqlStatement EnsureAccount { get; }

    public SqlStatement InsertTransaction { get; }

    public SqlStatement InsertUsageLog { get; }

    public SqlStatement InsertTransactionAndUsageLog { get; }

    public static CreditLedgerSql For(DbContext db) => Cache.GetValue(db.Model, _ => new CreditLedgerSql(db));

    /// <summary>The values of an entity in the column order of its INSERT statement.</summary>
    public static object?[] ValuesOf(SqlStatement insert, object entity)
    {
        var values = new object?[insert.Parameters.Count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = insert.Parameters[i].GetGetter().GetClrValueUsingContainingEntity(entity);
        }

        return values;
    }

    private static SqlStatement Insert(IModel model, Type clrType, ISqlGenerationHelper helper, int firstPlaceholder)
    {
        var names = new TableNames(model, clrType, helper);
        var properties = names.EntityType.GetProperties().ToArray();
        var columns = string.Join(", ", properties.Select(p => names.Column(p.Name)));
        var placeholders = string.Join(", ", properties.Select((_, i) => $"{{{firstPlaceholder + i}}}"));
        return new SqlStatement($"INSERT INTO {names.Table} ({columns}) VALUES ({placeholders})", properties);
    }

    private sealed class TableNames
    {
        private readonly ISqlGenerationHelper helper;
        private readonly StoreObjectIdentifier store;

        public TableNames(IModel model, Type clrType, ISqlGenerationHelper helper)
        {
            this.helper = helper;
            EntityType = model.FindEntityType(clrType)
                ?? throw new InvalidOperationException($"The context's model has no {clrType.Name}. Call modelBuilder.ApplyCreditsModel() in OnModelCreating.");
            store = StoreObjectIdentifier.Table(EntityType.GetTableName()!, EntityType.GetSchema());
            Table = helper.DelimitIdentifier(store.Name, store.Schema);
        }

        public IEntityType EntityType { get; }

        public string Table { get; }

        public IProperty Property(string name) => EntityType.FindProperty(name)!;

        public string Column(string property) => helper.DelimitIdentifier(Property(property).GetColumnName(store)!);
    }
}

/// <summary>A balance as a conditional update returns it.</summary>
internal sealed class LedgerBalance
{
    public long Balance { get; set; }

    public DateTime? NextExpiryAt { get; set; }
}

/// <summary>A SQL text with EF <c>{n}</c> placeholders and the model property whose type mapping binds each one.</summary>
internal sealed record SqlStatement(string Text, IReadOnlyList<IProperty> Parameters)
{
    /// <summary>Creates provider parameters through the properties' type mappings (value converters included).</summary>
    public DbParameter[] CreateParameters(DbCommand factory, object?[] values)
    {
        var parameters = new DbParameter[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            var property = Parameters[i];
            parameters[i] = property.GetRelationalTypeMapping()
                .CreateParameter(factory, "mf" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), values[i], property.IsNullable);
        }

        return parameters;
    }
}
