using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore.Metadata;

namespace MediaForge.Credits.Storage;

/// <summary>
/// SQLite: deductions of different users in two commands whose text depends on how many (SQLite prepares every
/// command it runs anyway): one UPDATE ... FROM a VALUES list of users and amounts, counting each use unless
/// the account has lots or a use timed after this one (then the caller appends that one alone, as after a
/// plain debit), returning each account's figures and whether the use was counted; then one command appending
/// the counted ones: their ledger rows, their usage logs with running totals from the counters, the roll-up.
/// </summary>
internal sealed class SqliteDeductionBatchSql
{
    private readonly Func<int, SqlStatement> debitMany, appendMany;
    private readonly ConcurrentDictionary<int, SqlStatement> debitsMany = new(), appendsMany = new();

    public SqliteDeductionBatchSql(CreditLedgerSchema schema)
    {
        var (helper, accounts, users, usage, hours) = (schema.Helper, schema.Accounts, schema.Users, schema.Usage, schema.Hours!);
        var (transactionText, transactionColumns, usageColumns) = (schema.TransactionText, schema.TransactionColumns, schema.UsageColumns);
        var (nextExpiry, lastUsage, accountUser) = (schema.NextExpiry, schema.LastUsage, schema.AccountUser);
        // Stryker disable once String : equivalent: the input table's names are the statement's own; SQLite takes an empty quoted name as well
        var deductions = helper.DelimitIdentifier("deductions");
        // Stryker disable once String : equivalent: as above, for the input table's columns (each mutant empties one of three)
        var (deductionUser, deductionAmount, deductionKey) = (helper.DelimitIdentifier("user"), helper.DelimitIdentifier("amount"), helper.DelimitIdentifier("key"));
        var counted = $"{nextExpiry} IS NULL AND ({lastUsage} IS NULL OR {lastUsage} <= {{1}})";
        // One deduction (a hot user's batch is all rounds of one) takes its values as parameters: a plain UPDATE is
        // cheaper for SQLite to parse and plan than one joined to a VALUES list.
        debitMany = count => schema.Statement(
            (count == 1
                ? $"UPDATE {accounts.Table} SET {schema.DebitTake("{3}", "{1}")}, {schema.CountUse("{1}", "{3}", counted)}{schema.DebitWhere("{2}", "{3}", "{1}", "{0}")}{schema.KeyUnused("{2}", "{4}")}"
                : $"WITH {deductions} ({deductionUser}, {deductionAmount}, {deductionKey}) AS (VALUES {string.Join(", ", Enumerable.Range(0, count).Select(i => $"({{{2 + 3 * i}}}, {{{3 + 3 * i}}}, {{{4 + 3 * i}}})"))})"
                + $" UPDATE {accounts.Table} SET {schema.DebitTake($"{deductions}.{deductionAmount}", "{1}")}, {schema.CountUse("{1}", $"{deductions}.{deductionAmount}", counted)}"
                + $" FROM {deductions}{schema.DebitWhere($"{deductions}.{deductionUser}", $"{deductions}.{deductionAmount}", "{1}", "{0}")}{schema.KeyUnused($"{deductions}.{deductionUser}", $"{deductions}.{deductionKey}")}")
            + $" RETURNING {accountUser}, {schema.Balance}, {nextExpiry}, {schema.UsageCount}, {schema.UsageCredits}, CASE WHEN {nextExpiry} IS NULL AND {lastUsage} = {{1}} THEN 1 ELSE 0 END",
            [users.Property(nameof(CreditUser.IsAdmin)), accounts.Property(nameof(CreditAccount.UpdatedAt)),
             .. Enumerable.Range(0, count).SelectMany(_ => new[] { accounts.Property(nameof(CreditAccount.UserId)), accounts.Property(nameof(CreditAccount.Balance)), usage.Property(nameof(UsageLog.IdempotencyKey)) })]);

        IProperty[] row = [.. transactionColumns, .. usageColumns, usage.Property(nameof(UsageLog.CumulativeUses)), usage.Property(nameof(UsageLog.CumulativeCredits)), .. schema.HourColumns];
        AppendManyColumns = row;
        appendMany = count =>
        {
            string Values(int first, int length) => $"({string.Join(", ", Enumerable.Range(first, length).Select(i => $"{{{i}}}"))})";
            string Rows(Func<int, string> values) => string.Join(", ", Enumerable.Range(0, count).Select(i => values(i * row.Length)));
            string P(int first, string name) => $"{{{first + transactionColumns.Length + Array.FindIndex(usageColumns, p => p.Name == name)}}}";
            var hour = transactionColumns.Length + usageColumns.Length + 2;
            return schema.Statement(
                $"{transactionText[..transactionText.IndexOf(" VALUES ", StringComparison.Ordinal)]} VALUES {Rows(first => Values(first, transactionColumns.Length))};"
                + $" INSERT INTO {usage.Table} ({schema.UsageColumnList}, {schema.CumulativeUses}, {schema.CumulativeCredits}) VALUES {Rows(first => Values(first + transactionColumns.Length, usageColumns.Length + 2))};"
                + $" {schema.RollUp(hours, $"VALUES {Rows(first => $"({{{first + hour}}}, {P(first, nameof(UsageLog.Feature))}, {P(first, nameof(UsageLog.Model))}, {P(first, nameof(UsageLog.IsUnlimited))}, {{{first + hour + 1}}}, 1, {P(first, nameof(UsageLog.CreditsUsed))}, {P(first, nameof(UsageLog.Price))})")}")}",
                [.. Enumerable.Range(0, count).SelectMany(_ => row)]);
        };
    }

    /// <summary>
    /// The debit of deductions of <paramref name="count"/> different users as one statement. Parameters: true, now,
    /// then each deduction's user id, amount and idempotency key (a user who has a usage log with that key is not
    /// debited). Returns for each account it debited: user id, balance, next expiry, usage count and credits (after the
    /// use), and 1 if the use was counted (no lots and no use timed after it: the caller appends it with
    /// <see cref="AppendMany"/>), else 0 (the caller appends it alone, as after <see cref="CreditBalanceSql.Debit"/>).
    /// </summary>
    public SqlStatement DebitMany(int count) => debitsMany.GetOrAdd(count, debitMany);

    /// <summary>
    /// The ledger rows, usage logs (with their running totals as values) and roll-up of <paramref name="count"/>
    /// counted uses as one command. Parameters: <see cref="AppendManyColumns"/> for each use in turn.
    /// </summary>
    public SqlStatement AppendMany(int count) => appendsMany.GetOrAdd(count, appendMany);

    /// <summary>The values of one use in <see cref="AppendMany"/>: the ledger row's, the usage log's, its running totals, the hour start and the shard.</summary>
    public IProperty[] AppendManyColumns { get; }
}
