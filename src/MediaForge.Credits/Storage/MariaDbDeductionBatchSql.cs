using System.Collections.Concurrent;

namespace MediaForge.Credits.Storage;

/// <summary>
/// MariaDB / MySQL, which has no <c>UPDATE ... RETURNING</c>: the debits of deductions of different users as one
/// command (one round trip) whose text depends on how many. Each deduction is the conditional debit of
/// <see cref="CreditBalanceSql.Debit"/>, skipped when the user's key was used (<see cref="CreditLedgerSchema.KeyUnused"/>),
/// followed in the same command and transaction, under the row lock the debit took, by the row read back when the debit
/// changed it (<see cref="CreditLedgerSchema.ReadBack"/>). The caller appends each debited deduction's rows with the
/// statements of a deduction on its own (<see cref="CreditAppendSql.AppendUsage"/>).
/// </summary>
internal sealed class MariaDbDeductionBatchSql
{
    private readonly ConcurrentDictionary<int, SqlStatement> debitsMany = new();
    private readonly Func<int, SqlStatement> debitMany;

    public MariaDbDeductionBatchSql(CreditLedgerSchema schema)
    {
        var (accounts, users, usage) = (schema.Accounts, schema.Users, schema.Usage);
        var userName = schema.Helper.DelimitIdentifier(nameof(CreditAccount.UserId));
        // {0} now, {1} true, then each deduction's user id {2 + 3i}, amount {3 + 3i} and idempotency key {4 + 3i}.
        string One(int i)
        {
            var (user, amount, key) = ($"{{{2 + 3 * i}}}", $"{{{3 + 3 * i}}}", $"{{{4 + 3 * i}}}");
            return $"UPDATE {accounts.Table} SET {schema.DebitTake(amount, "{0}")}{schema.DebitWhere(user, amount, "{0}", "{1}")}{schema.KeyUnused(user, key)}"
                + $"; SELECT {schema.AccountUser} AS {userName}, {schema.Balance}, {schema.NextExpiry}"
                + $" FROM {accounts.Table} WHERE {schema.AccountUser} = {user} AND ROW_COUNT() > 0";
        }

        debitMany = count => schema.Statement(
            string.Join("; ", Enumerable.Range(0, count).Select(One)),
            [accounts.Property(nameof(CreditAccount.UpdatedAt)), users.Property(nameof(CreditUser.IsAdmin)),
             .. Enumerable.Range(0, count).SelectMany(_ => new[] { accounts.Property(nameof(CreditAccount.UserId)), accounts.Property(nameof(CreditAccount.Balance)), usage.Property(nameof(UsageLog.IdempotencyKey)) })]);
    }

    /// <summary>
    /// The debits of deductions of <paramref name="count"/> different users as one command. Parameters: now, true, then
    /// each deduction's user id, amount and idempotency key. One result per deduction, with a row (user id, balance,
    /// next expiry, after the debit) only when it was debited: not when its account lacks the credits, has lapsed
    /// credits whose expiry is not written yet, is an admin's, or already has a usage log or ledger row with its key.
    /// </summary>
    public SqlStatement DebitMany(int count) => debitsMany.GetOrAdd(count, debitMany);
}
