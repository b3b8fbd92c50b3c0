using System.Data.Common;
using MediaForge.Credits.Entities;
using MediaForge.Credits.Ledger;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.EntityFrameworkCore;

namespace MediaForge.Credits.Storage;

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
        QueryBalanceAsync(sql.Balances.Debit, [userId, amount, now, true], cancellationToken);

    public override bool CanDebitAndAppend => sql.Deductions is not null;

    public override Task<LedgerBalance?> TryDebitAndAppendAsync(CreditTransaction charge, UsageLog usage, DateTime now, CancellationToken cancellationToken)
    {
        var statement = sql.Deductions!.DebitAndAppend;
        var values = new object?[statement.Parameters.Count];
        values[0] = charge.UserId;
        values[1] = -charge.Amount;
        values[2] = now;
        values[3] = true;
        // Then the ledger row's and the usage log's columns, then the roll-up's hour and shard.
        for (var i = 4; i < values.Length; i++)
        {
            values[i] = ValueOf(statement.Parameters[i], charge, usage);
        }

        return QueryBalanceAsync(statement, values, cancellationToken);
    }

    /// <summary>A column of the rows appended for a ledger row and/or a use: the ledger row's, the usage log's, or the roll-up's hour and shard.</summary>
    private object? ValueOf(IProperty column, CreditTransaction? charge, UsageLog? usage) =>
        column.DeclaringType.ClrType == typeof(UsageLog) ? column.GetGetter().GetClrValueUsingContainingEntity(usage!)
        : column.DeclaringType.ClrType == typeof(CreditTransaction) ? column.GetGetter().GetClrValueUsingContainingEntity(charge!)
        : column.Name == nameof(CreditUsageHour.HourStart) ? CreditUsageHour.HourOf(usage!.CreatedAt)
        : CreditUsageHour.ShardOf(usage!.UserId, sql.UsageHourShards);

    public override Task ApplyBatchSettingsAsync(CancellationToken cancellationToken) =>
        sql.BatchSettings is { } statement ? ExecuteAsync(statement, [], cancellationToken) : Task.CompletedTask;

    public override bool CanDebitAndAppendMany => sql.DeductsMany;

    public override Task<LedgerBalance?[]> TryDebitAndAppendManyAsync(IReadOnlyList<CreditTransaction> charges, IReadOnlyList<UsageLog> usages, CancellationToken cancellationToken) =>
        sql.Deductions is null ? DebitThenAppendManyAsync(charges, usages, cancellationToken) : DebitAndAppendManyAsync(charges, usages, cancellationToken);

    // SQLite: the debits in one statement, then the counted uses' rows in one command.
    private async Task<LedgerBalance?[]> DebitThenAppendManyAsync(IReadOnlyList<CreditTransaction> charges, IReadOnlyList<UsageLog> usages, CancellationToken cancellationToken)
    {
        var batches = sql.DebitBatches!;
        var debit = batches.DebitMany(usages.Count);
        var values = new object?[2 + 3 * usages.Count];
        values[0] = true;
        values[1] = usages[0].CreatedAt;
        for (var i = 0; i < usages.Count; i++)
        {
            values[2 + 3 * i] = usages[i].UserId;
            values[3 + 3 * i] = usages[i].CreditsUsed;
            values[4 + 3 * i] = usages[i].IdempotencyKey;
        }

        var debited = new Dictionary<string, (LedgerBalance Balance, long Uses, long Credits)>(usages.Count, StringComparer.Ordinal);
        await ReadRowsAsync(debit, values, row => debited[row.GetFieldValue<string>(0)] = (
            new LedgerBalance { Balance = row.GetFieldValue<long>(1), NextExpiryAt = ExpiryAt(row, 2), Appended = row.GetFieldValue<long>(5) == 1 },
            row.GetFieldValue<long>(3),
            row.GetFieldValue<long>(4)), cancellationToken).ConfigureAwait(false);

        var balances = new LedgerBalance?[usages.Count];
        var appended = new List<object?>(usages.Count * batches.AppendManyColumns.Length);
        for (var i = 0; i < usages.Count; i++)
        {
            if (!debited.TryGetValue(usages[i].UserId, out var outcome))
            {
                continue;
            }

            balances[i] = outcome.Balance;
            if (outcome.Balance.Appended)
            {
                charges[i].BalanceAfter = outcome.Balance.Balance;
                usages[i].CumulativeUses = outcome.Uses;
                usages[i].CumulativeCredits = outcome.Credits;
                foreach (var column in batches.AppendManyColumns)
                {
                    appended.Add(ValueOf(column, charges[i], usages[i]));
                }
            }
        }

        if (appended.Count > 0)
        {
            var append = batches.AppendMany(appended.Count / batches.AppendManyColumns.Length);
            await ExecuteAsync(append, [.. appended], cancellationToken).ConfigureAwait(false);
        }

        return balances;
    }

    // PostgreSQL: everything in one statement.
    private async Task<LedgerBalance?[]> DebitAndAppendManyAsync(IReadOnlyList<CreditTransaction> charges, IReadOnlyList<UsageLog> usages, CancellationToken cancellationToken)
    {
        var statement = sql.Deductions!.DebitAndAppendMany;
        var inputs = sql.Deductions.ManyInputs;
        var values = new object?[inputs.Length + 3];
        values[0] = true;
        values[1] = CreditUsageHour.HourOf(usages[0].CreatedAt);
        for (var i = 0; i < inputs.Length; i++)
        {
            values[i + 2] = PostgresDeductionSql.ArrayOf(inputs[i], inputs[i].DeclaringType.ClrType == typeof(UsageLog) ? usages : charges);
        }

        var shards = new int[usages.Count];
        for (var i = 0; i < shards.Length; i++)
        {
            shards[i] = CreditUsageHour.ShardOf(usages[i].UserId, sql.UsageHourShards);
        }

        values[^1] = shards;
        var balances = new LedgerBalance?[usages.Count];
        await ReadRowsAsync(statement, values, row =>
        {
            var expiry = ExpiryAt(row, 2);
            balances[row.GetFieldValue<long>(0) - 1] = new LedgerBalance { Balance = row.GetFieldValue<long>(1), NextExpiryAt = expiry, Appended = expiry is null };
        }, cancellationToken).ConfigureAwait(false);

        return balances;
    }

    public override Task<LedgerBalance?> TryCreditAsync(string userId, long amount, DateTime now, CancellationToken cancellationToken) =>
        QueryBalanceAsync(sql.Balances.Credit, [userId, amount, now, CreditLimits.MaxBalance - amount], cancellationToken);

    public override async Task<LedgerAccount?> ReadAccountAsync(string userId, CancellationToken cancellationToken)
    {
        var statement = sql.Balances.ReadAccount;
        using var critical = concurrency.EnterCriticalSection();
        if (ReadsOnOwnConnection())
        {
            var own = DbProviderFactories.GetFactory(connection.DbConnection)?.CreateConnection()
                ?? throw new InvalidOperationException("The provider's connection has no factory.");
            await using (own.ConfigureAwait(false))
            {
                own.ConnectionString = connection.ConnectionString ?? connection.DbConnection.ConnectionString;
                await own.OpenAsync(cancellationToken).ConfigureAwait(false);
                var read = own.CreateCommand();
                await using (read.ConfigureAwait(false))
                {
                    read.CommandText = statement.Text;
                    var bound = statement.Values([userId]);
                    foreach (var parameter in statement.Command.Parameters)
                    {
                        parameter.AddDbParameter(read, bound);
                    }

                    var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                    await using (reader.ConfigureAwait(false))
                    {
                        return await AccountAsync(reader, cancellationToken).ConfigureAwait(false);
                    }
                }
            }
        }

        var command = connection.RentCommand();
        try
        {
            command.PopulateFrom(statement.Command);
            var reader = await command.ExecuteReaderAsync(Parameters(statement, [userId], CommandSource.FromSqlQuery), cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                return await AccountAsync(reader.DbDataReader, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            connection.ReturnCommand(command);
        }
    }

    /// <summary>
    /// Whether the balance read runs on a connection of its own (see <see cref="CreditBalanceSql.ReadsOnOwnConnection"/>):
    /// where the provider wants it, outside any transaction, while the context's connection is closed, and only when
    /// the context has no interceptors (which would not see it).
    /// </summary>
    private bool ReadsOnOwnConnection()
    {
        if (!sql.Balances.ReadsOnOwnConnection || connection.CurrentTransaction is not null || System.Transactions.Transaction.Current is not null
            || connection.DbConnection.State != System.Data.ConnectionState.Closed)
        {
            return false;
        }

        var interceptors = db.GetService<IInterceptors>();
        return interceptors.Aggregate<IDbConnectionInterceptor>() is null && interceptors.Aggregate<IDbCommandInterceptor>() is null
            && interceptors.Aggregate<IDbTransactionInterceptor>() is null;
    }

    /// <summary>The balance read's row (none: the user does not exist), its columns through their value converters.</summary>
    private async Task<LedgerAccount?> AccountAsync(DbDataReader row, CancellationToken cancellationToken)
    {
        if (!await row.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        var columns = sql.Balances.ReadAccountColumns;
        var balance = Field<long>(row, 1, columns[1]);
        return new LedgerAccount(
            Field<bool>(row, 0, columns[0]) ?? false,
            balance,
            balance is null ? 0 : Field<long>(row, 2, columns[2]) ?? 0,
            balance is null ? null : Field<DateTime>(row, 3, columns[3]));
    }

    public override Task EnsureAccountAsync(string userId, DateTime now, CancellationToken cancellationToken) =>
        ExecuteAsync(sql.Balances.EnsureAccount, [userId, false, now, 0L], cancellationToken);

    public override Task AppendAsync(CreditTransaction? transaction, UsageLog? usage, CancellationToken cancellationToken)
    {
        var statement = usage is null ? sql.Appends.InsertTransaction : sql.Appends.AppendUsage(transaction is not null, charged: !usage.IsUnlimited);
        return ExecuteAsync(statement, [.. statement.Parameters.Select(column => ValueOf(column, transaction, usage))], cancellationToken);
    }

    private async Task<LedgerBalance?> QueryBalanceAsync(SqlStatement statement, object?[] values, CancellationToken cancellationToken)
    {
        LedgerBalance? balance = null;
        // Meaningful for DebitAndAppend only: it appends unless the account has lots.
        await ReadRowsAsync(statement, values, row =>
        {
            var expiry = ExpiryAt(row, 1);
            balance = new LedgerBalance { Balance = row.GetFieldValue<long>(0), NextExpiryAt = expiry, Appended = expiry is null };
        }, cancellationToken).ConfigureAwait(false);
        return balance;
    }

    // The statement's command is a shared template; each execution runs on the connection's own rented command (as EF's
    // queries do), which owns the reader, so contexts on other threads never share one.
    private async Task ReadRowsAsync(SqlStatement statement, object?[] values, Action<DbDataReader> read, CancellationToken cancellationToken)
    {
        using var critical = concurrency.EnterCriticalSection();
        var command = connection.RentCommand();
        try
        {
            command.PopulateFrom(statement.Command);
            var reader = await command.ExecuteReaderAsync(Parameters(statement, values, CommandSource.FromSqlQuery), cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    read(reader.DbDataReader);
                }
            }
        }
        finally
        {
            connection.ReturnCommand(command);
        }
    }

    private static DateTime? ExpiryAt(DbDataReader row, int ordinal) => row.IsDBNull(ordinal) ? null : row.GetFieldValue<DateTime>(ordinal);

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

    /// <summary>One column of the current row as the property's CLR type (through its value converter, if it has one).</summary>
    private static T? Field<T>(DbDataReader row, int ordinal, IProperty property)
        where T : struct
    {
        if (row.IsDBNull(ordinal))
        {
            return null;
        }

        return property.GetTypeMapping().Converter is { } converter
            ? (T)converter.ConvertFromProvider(row.GetValue(ordinal))!
            : row.GetFieldValue<T>(ordinal);
    }

    private RelationalCommandParameterObject Parameters(SqlStatement statement, object?[] values, CommandSource source) =>
        new(connection, statement.Values(values), null, db, logger, source);
}
