using System.Globalization;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace MediaForge.Credits.Storage;

/// <summary>
/// PostgreSQL: a whole charged deduction in one statement (one round trip), the same writes as Debit followed by
/// AppendUsage(true, true): the debit with the usage counters, the ledger row (its balance from the debit), the
/// usage log with its running totals, the shift of the user's rows timed after it, and the hour's roll-up. All
/// but the debit happen only if it took the credits and the account has no lots to consume first (then the
/// counters are left alone too, and the caller consumes the lots and appends with AppendUsage). The user's rows
/// timed after the use are looked for only when the account's last use (after this one) is later than it: every
/// charged use is counted in it, so otherwise there are none (the common case: one index probe less, twice).
/// </summary>
internal sealed class PostgresDeductionSql
{
    private readonly CreditLedgerSchema schema;
    private readonly string debited, later, input, balanceAlias, expiryAlias, usesAlias, creditsAlias, lastAlias, ordinal, ledgerColumnList, returning, taken;

    public PostgresDeductionSql(CreditLedgerSchema schema, IRelationalTypeMappingSource typeMappings)
    {
        this.schema = schema;
        var (accounts, users, usage, usageColumns, transactionColumns) = (schema.Accounts, schema.Users, schema.Usage, schema.UsageColumns, schema.TransactionColumns);
        (debited, later, input) = (Name("debited"), Name("later"), Name("input"));
        (balanceAlias, expiryAlias) = (Name(nameof(LedgerBalance.Balance)), Name(nameof(LedgerBalance.NextExpiryAt)));
        (usesAlias, creditsAlias, lastAlias, ordinal) = (Name("uses"), Name("credits"), Name("last"), Name("ordinal"));
        var ledgerColumns = transactionColumns.Where(c => c.Name != nameof(CreditTransaction.BalanceAfter)).ToArray();
        ledgerColumnList = string.Join(", ", transactionColumns.Select(c => schema.Ledger.Column(c.Name)));
        returning = $" RETURNING {schema.Balance} AS {balanceAlias}, {schema.NextExpiry} AS {expiryAlias}, {schema.UsageCount} AS {usesAlias}, {schema.UsageCredits} AS {creditsAlias}, {schema.LastUsage} AS {lastAlias}";
        taken = $" WHERE {debited}.{expiryAlias} IS NULL";

        // One deduction: {0} user id, {1} amount, {2} now, {3} true, then the ledger row's columns but its balance,
        // then the usage log's, then the hour start and the shard.
        var next = 4;
        var ledgerValues = ledgerColumns.ToDictionary(c => c, _ => $"{{{next++}}}");
        var firstUsage = next;
        string P(IProperty column) => $"{{{firstUsage + Array.IndexOf(usageColumns, column)}}}";
        DebitAndAppend = schema.Statement(
            Deduction(null, c => ledgerValues[c], P, "{0}", "{1}", "{2}", "{3}", $"{{{firstUsage + usageColumns.Length}}}", $"{{{firstUsage + usageColumns.Length + 1}}}"),
            [accounts.Property(nameof(CreditAccount.UserId)), accounts.Property(nameof(CreditAccount.Balance)),
             accounts.Property(nameof(CreditAccount.UpdatedAt)), users.Property(nameof(CreditUser.IsAdmin)),
             .. ledgerColumns, .. usageColumns, .. schema.HourColumns]);

        // Many deductions of different users: {0} true, {1} the hour start, then one array per column of
        // ManyInputs (the ledger rows' columns but their balance, the usage logs' columns but their ledger row,
        // which is the ledger row's id), then the shards; unnest reads them as a table. Each deduction is the same
        // writes as above; the roll-up gets one upsert per row it touches. The result has each debited deduction's
        // ordinal (1-based) with its balance and next expiry.
        var logTransaction = usage.Property(nameof(UsageLog.TransactionId));
        ManyInputs = [.. ledgerColumns, .. usageColumns.Where(c => c != logTransaction)];
        // Stryker disable once String : equivalent: the input table's column names are the statement's own; quoted numbers name them as well
        var columnNames = ManyInputs.Select((c, i) => (c, Name("c" + i.ToString(CultureInfo.InvariantCulture)))).ToDictionary(p => p.c, p => p.Item2);
        // Stryker disable once Linq : equivalent: the ledger row has exactly one Id column, so Single and SingleOrDefault find the same
        string Column(IProperty column) => $"{input}.{columnNames[column == logTransaction ? ledgerColumns.Single(c => c.Name == nameof(CreditTransaction.Id)) : column]}";
        var shardName = Name("shard");
        var arrays = string.Join(", ", Enumerable.Range(2, ManyInputs.Length + 1).Select(i => $"{{{i}}}"));
        DebitAndAppendMany = schema.Statement(
            Deduction($"SELECT * FROM unnest({arrays}) WITH ORDINALITY AS i({string.Join(", ", ManyInputs.Select(c => columnNames[c]))}, {shardName}, {ordinal})",
                Column, Column, Column(usage.Property(nameof(UsageLog.UserId))), Column(usage.Property(nameof(UsageLog.CreditsUsed))),
                Column(usage.Property(nameof(UsageLog.CreatedAt))), "{0}", "{1}", $"{input}.{shardName}"),
            [users.Property(nameof(CreditUser.IsAdmin)), schema.HourColumns[0], .. ManyInputs, schema.HourColumns[1]],
            [null, null, .. ManyInputs.Select(c => ArrayMapping(typeMappings, c)), typeMappings.FindMapping(typeof(int[]))]);
        BatchSettings = schema.Statement($"SET LOCAL lock_timeout = {(int)BatchLockWait.TotalMilliseconds}; SET LOCAL plan_cache_mode = force_generic_plan", []);
    }

    /// <summary>
    /// A charged deduction as one statement. Parameters: user id, amount, now, true, then the ledger row's columns
    /// without its balance (the debit's result), then <see cref="CreditLedgerSchema.UsageColumns"/>, then the hour
    /// start and the shard.
    /// </summary>
    public SqlStatement DebitAndAppend { get; }

    /// <summary>
    /// Charged deductions of different users as one statement. Parameters: true, the hour start, one array per
    /// <see cref="ManyInputs"/> column (the values as the provider stores them), then the shards. Returns the ordinal
    /// (1-based), balance and next expiry of each deduction that took its credits (see <see cref="DebitAndAppend"/>
    /// for what a next expiry means).
    /// </summary>
    public SqlStatement DebitAndAppendMany { get; }

    /// <summary>The ledger row and usage log columns whose values <see cref="DebitAndAppendMany"/> takes as arrays, in order.</summary>
    public IProperty[] ManyInputs { get; }

    /// <summary>The settings of a batch's transaction (see <see cref="CreditLedgerSql.BatchSettings"/>).</summary>
    public SqlStatement BatchSettings { get; }

    /// <summary>The longest a batch waits for a row lock before its deductions run alone.</summary>
    public static readonly TimeSpan BatchLockWait = TimeSpan.FromSeconds(1);

    private string Name(string name) => schema.Helper.DelimitIdentifier(name);

    // The statement's text. {input} is null for one deduction (values are parameters) or the CTE of many (values
    // are its columns, each row a deduction of a different user, matched to its debit by ordinal); {ledger} and
    // {log} give the SQL of a ledger row's and a usage log's column; {user}, {amount}, {now}, {yes} (true), {hour}
    // and {shard} the rest.
    private string Deduction(string? inputTable, Func<IProperty, string> ledger, Func<IProperty, string> log, string user, string amount, string now, string yes, string hour, string shard)
    {
        var usage = schema.Usage;
        var many = inputTable is not null;
        var at = log(usage.Property(nameof(UsageLog.CreatedAt)));
        var price = log(usage.Property(nameof(UsageLog.Price)));
        var from = many ? $"{debited} JOIN {input} ON {input}.{ordinal} = {debited}.{ordinal}" : debited;
        var laterThanUse = $"{debited}.{lastAlias} > {at}";
        string Log(string name) => log(usage.Property(name));
        var rollUpKey = $"{Log(nameof(UsageLog.Feature))}, {Log(nameof(UsageLog.Model))}, {Log(nameof(UsageLog.IsUnlimited))}, {shard}";
        return $"WITH {(many ? $"{input} AS ({inputTable}), " : "")}"
            + $"{debited} AS (UPDATE {schema.Accounts.Table} SET {schema.DebitTake(amount, now)}, {schema.CountUse(at, amount, when: $"{schema.NextExpiry} IS NULL")}"
            + (many ? $" FROM {input}" : "")
            + schema.DebitWhere(user, amount, now, yes) + schema.KeyUnused(user, Log(nameof(UsageLog.IdempotencyKey)))
            + returning + (many ? $", {input}.{ordinal} AS {ordinal}" : "") + "),"
            + $" {later} AS (SELECT {(many ? $"{input}.{ordinal}, " : "")}l.{usesAlias}, l.{creditsAlias} FROM {from},"
            + $" LATERAL (SELECT COUNT(*) AS {usesAlias}, COALESCE(SUM({usage.Column(nameof(UsageLog.CreditsUsed))}), 0) AS {creditsAlias}{schema.LaterUses(user, at)}) l"
            + $"{taken} AND {laterThanUse}),"
            + $" {Name("charged")} AS (INSERT INTO {schema.Ledger.Table} ({ledgerColumnList})"
            + $" SELECT {string.Join(", ", schema.TransactionColumns.Select(c => c.Name == nameof(CreditTransaction.BalanceAfter) ? $"{debited}.{balanceAlias}" : ledger(c)))}"
            + $" FROM {from}{taken}),"
            + $" {Name("logged")} AS (INSERT INTO {usage.Table} ({schema.UsageColumnList}, {schema.CumulativeUses}, {schema.CumulativeCredits})"
            + $" SELECT {string.Join(", ", schema.UsageColumns.Select(log))}, {debited}.{usesAlias} - COALESCE({later}.{usesAlias}, 0), {debited}.{creditsAlias} - COALESCE({later}.{creditsAlias}, 0)"
            + $" FROM {from} LEFT JOIN {later} ON {(many ? $"{later}.{ordinal} = {debited}.{ordinal}" : "TRUE")}{taken}),"
            // The uncorrelated EXISTS is a one-time gate: in the common case (no use timed later) the usage logs
            // are not read at all, whatever plan the statement was given (see KeyUnused).
            + $" {Name("moved")} AS ({schema.ShiftLaterUses(user, at, amount, $" FROM {from}")} AND {debited}.{expiryAlias} IS NULL AND {laterThanUse}"
            + $" AND EXISTS (SELECT 1 FROM {from}{taken} AND {laterThanUse})),"
            + $" {Name("rolled")} AS ({schema.RollUp(schema.Hours!, many
                ? $"SELECT {hour}, {rollUpKey}, COUNT(*), SUM({amount}), SUM({price}) FROM {from}{taken} GROUP BY {rollUpKey}"
                : $"SELECT {hour}, {rollUpKey}, 1, {amount}, {price} FROM {from}{taken}")})"
            + $" SELECT {(many ? $"{ordinal}, " : "")}{balanceAlias}, {expiryAlias} FROM {debited}";
    }

    /// <summary>The mapping of an array of the values of <paramref name="column"/> as the provider stores them.</summary>
    private static RelationalTypeMapping ArrayMapping(IRelationalTypeMappingSource mappings, IProperty column)
    {
        var element = ProviderElementType(column);
        // Stryker disable once String : the message of an unreachable guard (Npgsql maps an array of every column's provider type)
        return mappings.FindMapping(element.MakeArrayType())
            ?? throw new InvalidOperationException($"The provider has no array mapping for {element.Name} ({column.Name}).");
    }

    /// <summary>The values of <paramref name="column"/> of <paramref name="entities"/> as one array of their provider values.</summary>
    public static Array ArrayOf(IProperty column, IReadOnlyList<object> entities)
    {
        var converter = column.GetRelationalTypeMapping().Converter;
        var values = Array.CreateInstance(ProviderElementType(column), entities.Count);
        var getter = column.GetGetter();
        for (var i = 0; i < entities.Count; i++)
        {
            var value = getter.GetClrValueUsingContainingEntity(entities[i]);
            values.SetValue(converter is null || value is null ? value : converter.ConvertToProvider(value), i);
        }

        return values;
    }

    /// <summary>The type of one of <paramref name="column"/>'s values as the provider stores it (nullable if the column is).</summary>
    private static Type ProviderElementType(IProperty column)
    {
        var mapping = column.GetRelationalTypeMapping();
        var element = mapping.Converter?.ProviderClrType ?? mapping.ClrType;
        // Stryker disable once Conditional,Equality : equivalent: no ManyInputs column is a nullable value type (the usage log's TransactionId, the one there is, is read from the ledger row's Id)
        return column.IsNullable && element.IsValueType && Nullable.GetUnderlyingType(element) is null
            ? typeof(Nullable<>).MakeGenericType(element)
            : element;
    }
}
