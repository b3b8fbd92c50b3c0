using MediaForge.Credits.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;

namespace MediaForge.Credits.Internal;

/// <summary>Moves credits with conditional SQL updates: one round trip to check and take, never read-modify-write.</summary>
internal sealed class RelationalCreditLedger(DbContext db) : CreditLedger
{
    private readonly CreditLedgerSql sql = CreditLedgerSql.For(db);
    private readonly IRelationalConnection connection = db.GetService<IRelationalConnection>();
    private readonly IRelationalCommandDiagnosticsLogger logger = db.GetService<IRelationalCommandDiagnosticsLogger>();
    private readonly IConcurrencyDetector concurrency = db.GetService<IConcurrencyDetector>();

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
        if (usage is null)
        {
            return ExecuteAsync(sql.InsertTransaction, CreditLedgerSql.ValuesOf(sql.InsertTransaction, transaction!), cancellationToken);
        }

        object?[] hour = sql.UsageHourShards == 0 ? []
            : [CreditUsageHour.HourOf(usage.CreatedAt), CreditUsageHour.ShardOf(usage.UserId, sql.UsageHourShards)];
        object?[] values = transaction is null
            ? [.. CreditLedgerSql.ValuesOf(sql.UsageColumns, usage), .. hour]
            : [.. CreditLedgerSql.ValuesOf(sql.InsertTransaction, transaction), .. CreditLedgerSql.ValuesOf(sql.UsageColumns, usage), .. hour];
        return ExecuteAsync(sql.AppendUsage(transaction is not null, charged: !usage.IsUnlimited), values, cancellationToken);
    }

    // The statement's command is a shared template; each execution runs on the connection's own rented command (as EF's
    // queries do), which owns the reader, so contexts on other threads never share one.
    private async Task<LedgerBalance?> QueryBalanceAsync(SqlStatement statement, object?[] values, CancellationToken cancellationToken)
    {
        using var critical = concurrency.EnterCriticalSection();
        var command = connection.RentCommand();
        try
        {
            command.PopulateFrom(statement.Command);
            var reader = await command.ExecuteReaderAsync(Parameters(statement, values, CommandSource.FromSqlQuery), cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    return null;
                }

                var row = reader.DbDataReader;
                return new LedgerBalance
                {
                    Balance = row.GetFieldValue<long>(0),
                    NextExpiryAt = await row.IsDBNullAsync(1, cancellationToken).ConfigureAwait(false) ? null : row.GetFieldValue<DateTime>(1),
                };
            }
        }
        finally
        {
            connection.ReturnCommand(command);
        }
    }

    private async Task ExecuteAsync(SqlStatement statement, object?[] values, CancellationToken cancellationToken)
    {
        using var critical = concurrency.EnterCriticalSection();
        var command = connection.RentCommand();
        try
        {
            command.PopulateFrom(statement.Command);
            await command.ExecuteNonQueryAsync(Parameters(statement, values, CommandSource.ExecuteSqlRaw), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            connection.ReturnCommand(command);
        }
    }

    private RelationalCommandParameterObject Parameters(SqlStatement statement, object?[] values, CommandSource source) =>
        new(connection, statement.Values(values), null, db, logger, source);
}
