using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;

namespace MediaForge.Credits.Storage;

/// <summary>
/// Runs the ledger's built-once statements (<see cref="SqlStatement"/>) in the context's connection and transaction:
/// as a command of the provider, prepared where the ledger prepares its statements, or else through EF's command
/// pipeline (logging, interceptors). Used by <see cref="RelationalCreditLedger"/> and <see cref="CreditHoldStatements"/>.
/// </summary>
internal sealed class CreditLedgerCommands(DbContext db, CreditLedgerSql sql)
{
    private bool? commandsIntercepted;

    public IRelationalConnection Connection { get; } = db.GetService<IRelationalConnection>();

    public IRelationalCommandDiagnosticsLogger Logger { get; } = db.GetService<IRelationalCommandDiagnosticsLogger>();

    public IConcurrencyDetector Concurrency { get; } = db.GetService<IConcurrencyDetector>();

    // The statement's command is a shared template; each execution runs on the connection's own rented command (as EF's
    // queries do), which owns the reader, so contexts on other threads never share one.
    // everyResult: the statement is several, each with its result (MariaDB's debits); otherwise the first result only.
    public async Task ReadRowsAsync(SqlStatement statement, object?[] values, Action<DbDataReader> read, CancellationToken cancellationToken, bool everyResult = false)
    {
        using var critical = Concurrency.EnterCriticalSection();
        if (await PreparedAsync(statement, values, cancellationToken).ConfigureAwait(false) is { } prepared)
        {
            await using (prepared.ConfigureAwait(false))
            {
                var rows = await prepared.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (rows.ConfigureAwait(false))
                {
                    // Stryker disable once Logical : equivalent: only MariaDB's debits are several statements, and they never take this path (RunsCommandsDirectly is false there); a single statement has no next result
                    do
                    {
                        while (await rows.ReadAsync(cancellationToken).ConfigureAwait(false))
                        {
                            read(rows);
                        }
                    }
                    while (everyResult && await rows.NextResultAsync(cancellationToken).ConfigureAwait(false));
                }
            }

            return;
        }

        var command = Connection.RentCommand();
        try
        {
            command.PopulateFrom(statement.Command);
            var reader = await command.ExecuteReaderAsync(Parameters(statement, values, CommandSource.FromSqlQuery), cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                do
                {
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        read(reader.DbDataReader);
                    }
                }
                while (everyResult && await reader.DbDataReader.NextResultAsync(cancellationToken).ConfigureAwait(false));
            }
        }
        finally
        // Stryker disable once Block,Statement : equivalent in outcome: a rented command not returned is not reused; the next rent creates one
        {
            Connection.ReturnCommand(command);
        }
    }

    /// <summary>Runs a statement that returns no rows; the rows it changed (matched, on MySQL).</summary>
    public async Task<int> ExecuteAsync(SqlStatement statement, object?[] values, CancellationToken cancellationToken)
    {
        using var critical = Concurrency.EnterCriticalSection();
        if (await PreparedAsync(statement, values, cancellationToken).ConfigureAwait(false) is { } prepared)
        {
            await using (prepared.ConfigureAwait(false))
            {
                return await prepared.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        var command = Connection.RentCommand();
        try
        {
            command.PopulateFrom(statement.Command);
            return await command.ExecuteNonQueryAsync(Parameters(statement, values, CommandSource.ExecuteSqlRaw), cancellationToken).ConfigureAwait(false);
        }
        finally
        // Stryker disable once Block,Statement : equivalent in outcome: a rented command not returned is not reused; the next rent creates one
        {
            Connection.ReturnCommand(command);
        }
    }

    /// <summary>
    /// The statement as a command of the provider (see <see cref="CreditLedgerSql.RunsCommandsDirectly"/>), prepared
    /// where the ledger prepares its statements (<see cref="CreditLedgerSql.PreparesStatements"/>: preparing one already
    /// prepared on the physical connection costs no round trip); only inside a transaction (the connection is open and
    /// stays so) and when the context has no command interceptors (which would not see it). Otherwise
    /// <see langword="null"/>: it runs through EF.
    /// </summary>
    private async Task<DbCommand?> PreparedAsync(SqlStatement statement, object?[] values, CancellationToken cancellationToken)
    {
        if (!sql.RunsCommandsDirectly || Connection.CurrentTransaction is not { } transaction
            || Connection.DbConnection.State != System.Data.ConnectionState.Open
            || (commandsIntercepted ??= db.GetService<IInterceptors>().Aggregate<IDbCommandInterceptor>() is not null))
        {
            return null;
        }

        var command = Connection.DbConnection.CreateCommand();
        try
        {
            command.Transaction = transaction.GetDbTransaction();
            command.CommandText = statement.Text;
            if (Connection.CommandTimeout is { } timeout)
            {
                command.CommandTimeout = timeout;
            }

            var bound = statement.Values(values);
            foreach (var parameter in statement.Command.Parameters)
            {
                parameter.AddDbParameter(command, bound);
            }

            // Stryker disable once Boolean : equivalent in outcome: a statement runs the same prepared or not (preparing only saves PostgreSQL's planning on each execution)
            if (sql.PreparesStatements)
            {
                await command.PrepareAsync(cancellationToken).ConfigureAwait(false);
            }

            return command;
        }
        catch
        {
            // Stryker disable once Statement : equivalent in outcome: a command whose preparation failed holds no prepared statement; left undisposed, the collector takes it
            await command.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private RelationalCommandParameterObject Parameters(SqlStatement statement, object?[] values, CommandSource source) =>
        new(Connection, statement.Values(values), null, db, Logger, source);
}
