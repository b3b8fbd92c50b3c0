using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace MediaForge.Credits.Storage;

/// <summary>
/// The balance read of <see cref="RelationalCreditLedger"/> (<see cref="CreditLedger.ReadAccountAsync"/>): one
/// statement on the context's connection, or on a connection of its own where the provider wants it (see
/// <see cref="CreditBalanceSql.ReadsOnOwnConnection"/>), its columns read through their value converters.
/// </summary>
internal sealed class LedgerAccountReader(
    DbContext db,
    CreditBalanceSql sql,
    IRelationalConnection connection,
    IConcurrencyDetector concurrency,
    IRelationalCommandDiagnosticsLogger logger)
{
    public Task<LedgerAccount?> ReadAsync(string userId, CancellationToken cancellationToken) =>
        ReadAsync(sql.ReadAccount, userId, AccountAsync, cancellationToken);

    /// <summary>Whether the user has a subscription row: one statement, on the same connection as the balance read.</summary>
    public Task<bool> HasSubscriptionAsync(string userId, CancellationToken cancellationToken) =>
        // Stryker disable once Logical : equivalent in outcome: a row whose flag is 0 read as subscribed only sends the caller to the plan query, which finds no subscription and answers null
        ReadAsync(sql.HasSubscription, userId, async (row, ct) => await row.ReadAsync(ct).ConfigureAwait(false) && Subscribed(row, 0), cancellationToken);

    // The subscription column (1 or 0; its integer type differs by provider).
    private static bool Subscribed(DbDataReader row, int ordinal) =>
        Convert.ToInt64(row.GetValue(ordinal), System.Globalization.CultureInfo.InvariantCulture) == 1;

    /// <summary>Runs a read of one user's rows (see <see cref="ReadsOnOwnConnection"/>) and gives its reader to <paramref name="read"/>.</summary>
    private async Task<T> ReadAsync<T>(SqlStatement statement, string userId, Func<DbDataReader, CancellationToken, Task<T>> read, CancellationToken cancellationToken)
    {
        using var critical = concurrency.EnterCriticalSection();
        if (ReadsOnOwnConnection())
        {
            // Stryker disable once String : unreachable: only SQLite reads on its own connection, and its connection always has its factory (SqliteFactory)
            var own = DbProviderFactories.GetFactory(connection.DbConnection)?.CreateConnection()
                ?? throw new InvalidOperationException("The provider's connection has no factory.");
            await using (own.ConfigureAwait(false))
            {
                // Stryker disable once NullCoalescing : equivalent on SQLite (the only provider reading on its own connection): EF's connection string is the connection's own
                own.ConnectionString = connection.ConnectionString ?? connection.DbConnection.ConnectionString;
                await own.OpenAsync(cancellationToken).ConfigureAwait(false);
                var query = own.CreateCommand();
                await using (query.ConfigureAwait(false))
                {
                    query.CommandText = statement.Text;
                    var bound = statement.Values([userId]);
                    foreach (var parameter in statement.Command.Parameters)
                    {
                        parameter.AddDbParameter(query, bound);
                    }

                    var reader = await query.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                    await using (reader.ConfigureAwait(false))
                    {
                        return await read(reader, cancellationToken).ConfigureAwait(false);
                    }
                }
            }
        }

        var command = connection.RentCommand();
        try
        {
            command.PopulateFrom(statement.Command);
            var reader = await command.ExecuteReaderAsync(
                new RelationalCommandParameterObject(connection, statement.Values([userId]), null, db, logger, CommandSource.FromSqlQuery), cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                return await read(reader.DbDataReader, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        // Stryker disable once Block,Statement : equivalent in outcome: a rented command not returned is not reused; the next rent creates one
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
        // Stryker disable once Equality,Logical : equivalent in outcome: which connection reads, the shared one or its own, both read the committed row (inside a transaction the connection is open, and the state check alone keeps the read on it)
        if (!sql.ReadsOnOwnConnection || connection.CurrentTransaction is not null || System.Transactions.Transaction.Current is not null
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

        var columns = sql.ReadAccountColumns;
        var balance = LedgerColumns.Read<long?>(row, 1, columns[1]);
        return new LedgerAccount(
            LedgerColumns.Read<bool>(row, 0, columns[0]),
            balance,
            balance is null ? 0 : LedgerColumns.Read<long>(row, 2, columns[2]),
            balance is null ? null : LedgerColumns.Read<DateTime?>(row, 3, columns[3]),
            Subscribed(row, 4));
    }
}
