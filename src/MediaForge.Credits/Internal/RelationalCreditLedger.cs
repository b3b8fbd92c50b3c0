using System.Data.Common;
using MediaForge.Credits.Entities;
using Microsoft.EntityFrameworkCore;

namespace MediaForge.Credits.Internal;

/// <summary>Moves credits with conditional SQL updates: one round trip to check and take, never read-modify-write.</summary>
internal sealed class RelationalCreditLedger(DbContext db) : CreditLedger
{
    private readonly CreditLedgerSql sql = CreditLedgerSql.For(db);

    public override async Task<CreditLedgerScope> BeginAsync(CancellationToken cancellationToken)
    {
        if (db.Database.CurrentTransaction is not null)
        {
            return new CreditLedgerScope(null);
        }

        // On SQLite this is BEGIN IMMEDIATE: the write lock is taken up front, so concurrent writers wait
        // (busy timeout) instead of failing with SQLITE_BUSY on lock upgrade.
        return new CreditLedgerScope(await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false));
    }

    public override Task<LedgerBalance?> TryDebitAsync(string userId, long amount, DateTime now, CancellationToken cancellationToken) =>
        QueryBalanceAsync(sql.Debit, [userId, amount, now, true], cancellationToken);

    public override Task<LedgerBalance?> TryCreditAsync(string userId, long amount, DateTime now, CancellationToken cancellationToken) =>
        QueryBalanceAsync(sql.Credit, [userId, amount, now], cancellationToken);

    public override Task EnsureAccountAsync(string userId, DateTime now, CancellationToken cancellationToken) =>
        ExecuteAsync(sql.EnsureAccount, [userId, false, now, 0L], cancellationToken);

    public override Task AppendAsync(CreditTransaction? transaction, UsageLog? usage, CancellationToken cancellationToken)
    {
        if (transaction is not null && usage is not null)
        {
            object?[] values = [.. CreditLedgerSql.ValuesOf(sql.InsertTransaction, transaction), .. CreditLedgerSql.ValuesOf(sql.InsertUsageLog, usage)];
            return ExecuteAsync(sql.InsertTransactionAndUsageLog, values, cancellationToken);
        }

        return transaction is not null
            ? ExecuteAsync(sql.InsertTransaction, CreditLedgerSql.ValuesOf(sql.InsertTransaction, transaction), cancellationToken)
            : ExecuteAsync(sql.InsertUsageLog, CreditLedgerSql.ValuesOf(sql.InsertUsageLog, usage!), cancellationToken);
    }

    private async Task<LedgerBalance?> QueryBalanceAsync(SqlStatement statement, object?[] values, CancellationToken cancellationToken)
    {
        using var factory = db.Database.GetDbConnection().CreateCommand();
        object[] parameters = statement.CreateParameters(factory, values);
        var rows = await db.Database.SqlQueryRaw<LedgerBalance>(statement.Text, parameters).ToListAsync(cancellationToken).ConfigureAwait(false);
        return rows.Count == 0 ? null : rows[0];
    }

    private async Task ExecuteAsync(SqlStatement statement, object?[] values, CancellationToken cancellationToken)
    {
        using DbCommand factory = db.Database.GetDbConnection().CreateCommand();
        object[] parameters = statement.CreateParameters(factory, values);
        await db.Database.ExecuteSqlRawAsync(statement.Text, parameters, cancellationToken).ConfigureAwait(false);
    }
}
