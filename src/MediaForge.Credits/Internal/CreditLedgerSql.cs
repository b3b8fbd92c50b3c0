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
        var commands = db.GetService<IRelationalCommandBuilderFactory>();
        SqlStatement Statement(string text, IReadOnlyList<IProperty> parameters) => SqlStatement.Create(text, parameters, helper, commands);
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
        Debit = Statement(
            $"UPDATE {accounts.Table} SET {balance} = {balance} - {{1}}, {consumed} = {consumed} + {{1}}, {updatedAt} = {{2}}"
            + Output(balance)
            + $" WHERE {accountUser} = {{0}} AND {balance} - {reserved} >= {{1}} AND ({nextExpiry} IS NULL OR {nextExpiry} > {{2}})"
            + $" AND NOT EXISTS (SELECT 1 FROM {users.Table} WHERE {userId} = {{0}} AND {isAdmin} = {{3}})"
            + Returning(balance),
            [accounts.Property(nameof(CreditAccount.UserId)), accounts.Property(nameof(CreditAccount.Balance)),
             accounts.Property(nameof(CreditAccount.UpdatedAt)), users.Property(nameof(CreditUser.IsAdmin))]);

        // {0} user id, {1} amount, {2} now
        Credit = Statement(
            $"UPDATE {accounts.Table} SET {balance} = {balance} + {{1}}, {granted} = {granted} + {{1}}, {updatedAt} = {{2}}"
            + Output(balance)
            + $" WHERE {accountUser} = {{0}}"
            + Returning(balance),
            [accounts.Property(nameof(CreditAccount.UserId)), accounts.Property(nameof(CreditAccount.Balance)),
             accounts.Property(nameof(CreditAccount.UpdatedAt))]);

        // {0} user id, {1} false, {2} now, {3} zero
        EnsureAccount = Statement(
            $"INSERT INTO {users.Table} ({userId}, {isAdmin}, {users.Column(nameof(CreditUser.CreatedAt))}, {users.Column(nameof(CreditUser.UpdatedAt))})"
            + $" SELECT {{0}}, {{1}}, {{2}}, {{2}} WHERE NOT EXISTS (SELECT 1 FROM {users.Table} WHERE {userId} = {{0}});"
            + $" INSERT INTO {accounts.Table} ({accountUser}, {balance}, {reserved}, {granted}, {consumed}, {accounts.Column(nameof(CreditAccount.CreatedAt))}, {updatedAt})"
            + $" SELECT {{0}}, {{3}}, {{3}}, {{3}}, {{3}}, {{2}}, {{2}} WHERE NOT EXISTS (SELECT 1 FROM {accounts.Table} WHERE {accountUser} = {{0}})",
            [users.Property(nameof(CreditUser.Id)), users.Property(nameof(CreditUser.IsAdmin)),
             users.Property(nameof(CreditUser.CreatedAt)), accounts.Property(nameof(CreditAccount.Balance))]);

        // {0} user id. One row per user row: the admin flag and, when the balance row exists, balance, held credits and
        // the next expiry (two primary-key lookups). No row: the user does not exist. Both lookups compare with the
        // parameter (not a.user_id = u.id): the same rows, and PostgreSQL plans it as two independent key lookups,
        // measurably cheaper per call for an unprepared statement.
        ReadAccount = Statement(
            $"SELECT u.{isAdmin}, a.{balance}, a.{reserved}, a.{nextExpiry} FROM {users.Table} u"
            + $" LEFT JOIN {accounts.Table} a ON a.{accountUser} = {{0}} WHERE u.{userId} = {{0}}",
            [users.Property(nameof(CreditUser.Id))]);
        ReadAccountColumns = [users.Property(nameof(CreditUser.IsAdmin)), accounts.Property(nameof(CreditAccount.Balance)),
            accounts.Property(nameof(CreditAccount.Reserved)), accounts.Property(nameof(CreditAccount.NextExpiryAt))];

        var (transactionText, transactionColumns) = Insert(db.Model, typeof(CreditTransaction), helper, 0);
        var (usageText, usageColumns) = Insert(db.Model, typeof(UsageLog), helper, 0);
        InsertTransaction = Statement(transactionText, transactionColumns);
        InsertUsageLog = Statement(usageText, usageColumns);
        InsertTransactionAndUsageLog = Statement(
            transactionText + "; " + Insert(db.Model, typeof(UsageLog), helper, transactionColumns.Length).Text,
            [.. transactionColumns, .. usageColumns]);

        // PostgreSQL: the whole deduction in one statement (one round trip). The inserts read the debit's result and
        // run only if it took the credits and no lots have to be consumed first; otherwise the caller writes them.
        if (db.Database.ProviderName?.Contains("Npgsql", StringComparison.Ordinal) == true)
        {
            var ledgerColumns = transactionColumns.Where(c => c.Name != nameof(CreditTransaction.BalanceAfter)).ToArray();
            var debited = helper.DelimitIdentifier("debited");
            var balanceAlias = helper.DelimitIdentifier(nameof(LedgerBalance.Balance));
            var expiryAlias = helper.DelimitIdentifier(nameof(LedgerBalance.NextExpiryAt));
            var placeholder = 4;
            string Select(IEnumerable<IProperty> columns, Func<IProperty, string?> special) =>
                string.Join(", ", columns.Select(c => special(c) ?? $"{{{placeholder++}}}"));
            var transactions = new TableNames(db.Model, typeof(CreditTransaction), helper);
            var usages = new TableNames(db.Model, typeof(UsageLog), helper);
            var transactionSelect = Select(transactionColumns, c => c.Name == nameof(CreditTransaction.BalanceAfter) ? $"{debited}.{balanceAlias}" : null);
            var usageSelect = Select(usageColumns, _ => null);
            DebitAndAppend = Statement(
                $"WITH {debited} AS (UPDATE {accounts.Table} SET {balance} = {balance} - {{1}}, {consumed} = {consumed} + {{1}}, {updatedAt} = {{2}}"
                + $" WHERE {accountUser} = {{0}} AND {balance} - {reserved} >= {{1}} AND ({nextExpiry} IS NULL OR {nextExpiry} > {{2}})"
                + $" AND NOT EXISTS (SELECT 1 FROM {users.Table} WHERE {userId} = {{0}} AND {isAdmin} = {{3}})"
                + $" RETURNING {balance} AS {balanceAlias}, {nextExpiry} AS {expiryAlias}),"
                + $" {helper.DelimitIdentifier("charged")} AS (INSERT INTO {transactions.Table} ({string.Join(", ", transactionColumns.Select(c => transactions.Column(c.Name)))})"
                + $" SELECT {transactionSelect} FROM {debited} WHERE {debited}.{expiryAlias} IS NULL),"
                + $" {helper.DelimitIdentifier("logged")} AS (INSERT INTO {usages.Table} ({string.Join(", ", usageColumns.Select(c => usages.Column(c.Name)))})"
                + $" SELECT {usageSelect} FROM {debited} WHERE {debited}.{expiryAlias} IS NULL)"
                + $" SELECT {balanceAlias}, {expiryAlias} FROM {debited}",
                [accounts.Property(nameof(CreditAccount.UserId)), accounts.Property(nameof(CreditAccount.Balance)),
                 accounts.Property(nameof(CreditAccount.UpdatedAt)), users.Property(nameof(CreditUser.IsAdmin)),
                 .. ledgerColumns, .. usageColumns]);
        }
    }

    /// <summary>
    /// The debit, the ledger row and the usage log as one statement, where the database can (PostgreSQL); otherwise
    /// <see langword="null"/>. Parameters: user id, amount, now, true, then the ledger row's columns without its
    /// balance (the debit's result), then the usage log's columns.
    /// </summary>
    public SqlStatement? DebitAndAppend { get; }

    public SqlStatement Debit { get; }

    public SqlStatement Credit { get; }

    public SqlStatement EnsureAccount { get; }

    /// <summary>The balance read (<see cref="CreditLedger.ReadAccountAsync"/>): admin flag, balance, reserved, next expiry.</summary>
    public SqlStatement ReadAccount { get; }

    /// <summary>The model properties of <see cref="ReadAccount"/>'s columns, in order (their value converters, if any, read them).</summary>
    public IReadOnlyList<IProperty> ReadAccountColumns { get; }

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

    private static (string Text, IProperty[] Columns) Insert(IModel model, Type clrType, ISqlGenerationHelper helper, int firstPlaceholder)
    {
        var names = new TableNames(model, clrType, helper);
        var properties = names.EntityType.GetProperties().ToArray();
        var columns = string.Join(", ", properties.Select(p => names.Column(p.Name)));
        var placeholders = string.Join(", ", properties.Select((_, i) => $"{{{firstPlaceholder + i}}}"));
        return ($"INSERT INTO {names.Table} ({columns}) VALUES ({placeholders})", properties);
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

/// <summary>
/// One ledger statement, built once per model into an EF <see cref="IRelationalCommand"/> used as a template (each
/// execution populates the connection's rented command from it, as EF's own queries do): the SQL with provider
/// parameter placeholders and one parameter per value, bound by the model property's type mapping (value
/// converters included, so a SQLite GUID is stored as EF stores it). Executing it through
/// <see cref="RelationalCommandParameterObject"/> with the context's connection and command logger keeps EF's
/// logging, diagnostics and interceptors, and joins the context's current transaction, without building the command or
/// generating SQL again on every call.
/// </summary>
internal sealed class SqlStatement
{
    private readonly string[] names;

    private SqlStatement(string text, IReadOnlyList<IProperty> parameters, IRelationalCommandTemplate command, string[] names)
    {
        Text = text;
        Parameters = parameters;
        Command = command;
        this.names = names;
    }

    /// <summary>The SQL as the command runs it.</summary>
    public string Text { get; }

    /// <summary>The model property whose type mapping binds each value, in order.</summary>
    public IReadOnlyList<IProperty> Parameters { get; }

    /// <summary>The prepared EF command: a template, executed through a command rented from the context's connection.</summary>
    public IRelationalCommandTemplate Command { get; }

    /// <summary>Builds the command from a text with EF <c>{n}</c> placeholders.</summary>
    public static SqlStatement Create(string text, IReadOnlyList<IProperty> parameters, ISqlGenerationHelper helper, IRelationalCommandBuilderFactory factory)
    {
        var names = new string[parameters.Count];
        var builder = factory.Create();
        for (var i = 0; i < parameters.Count; i++)
        {
            names[i] = "mf" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            builder.AddParameter(names[i], helper.GenerateParameterName(names[i]), parameters[i].GetRelationalTypeMapping(), parameters[i].IsNullable);
        }

        var sql = System.Text.RegularExpressions.Regex.Replace(text, @"\{(\d+)\}",
            m => helper.GenerateParameterNamePlaceholder(names[int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)]));
        return new SqlStatement(sql, parameters, builder.Append(sql).Build(), names);
    }

    /// <summary>The parameter values of one execution, keyed as the command expects them.</summary>
    public Dictionary<string, object?> Values(object?[] values)
    {
        var bound = new Dictionary<string, object?>(values.Length, StringComparer.Ordinal);
        for (var i = 0; i < values.Length; i++)
        {
            bound[names[i]] = values[i];
        }

        return bound;
    }
}
