using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace MediaForge.Credits.Tests.Infrastructure;

/// <summary>
/// Once given a call, starts it (on its own connection) right after this context's next <c>UPDATE</c> of
/// <paramref name="table"/>, and lets this context's transaction go on only once that call has ended or waits on a lock
/// (<see cref="CreditsDatabase.LockWaitsAsync"/>). Two transactions that take the same rows in opposite orders deadlock
/// this way every time; taken in one order, the call waits and this transaction finishes first. No timing: it waits
/// for a state of the database, not for a while.
/// </summary>
internal sealed class AnotherCallAfterTheNextWrite(CreditsDatabase database, string table) : DbCommandInterceptor
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private Task started = Task.CompletedTask;

    public Func<Task>? Call { get; set; }

    /// <summary>
    /// On MariaDB, when the server shows no wait within a third of the patience, go on instead of failing (an earlier
    /// probe there missed waits; decision 0051): a test then fails a wrong lock order only when the wait was seen.
    /// </summary>
    private bool GoesOnWithoutAWait => database is MariaDbCreditsDatabase;

    /// <summary>The call, once started: await it after this context's operation returned.</summary>
    public Task Started => started;

    public override async ValueTask<int> NonQueryExecutedAsync(DbCommand command, CommandExecutedEventData eventData, int result,
        CancellationToken cancellationToken = default)
    {
        await StartAfterWriteAsync(command);
        return result;
    }

    public override async ValueTask<DbDataReader> ReaderExecutedAsync(DbCommand command, CommandExecutedEventData eventData, DbDataReader result,
        CancellationToken cancellationToken = default)
    {
        await StartAfterWriteAsync(command);
        return result;
    }

    private async Task StartAfterWriteAsync(DbCommand command)
    {
        if (Call is not { } call || !command.CommandText.TrimStart().StartsWith("UPDATE", StringComparison.OrdinalIgnoreCase)
            || !command.CommandText.Contains(table, StringComparison.Ordinal))
        {
            return;
        }

        Call = null;
        started = Task.Run(call);
        // On MariaDB going on, well before MySql.Data's 30-second command timeout ends the other call's wait.
        var patience = GoesOnWithoutAWait ? Patience / 3 : Patience;
        var deadline = DateTime.UtcNow + patience;
        while (!started.IsCompleted && await database.LockWaitsAsync() == 0)
        {
            if (DateTime.UtcNow >= deadline)
            {
                Assert.True(GoesOnWithoutAWait, $"The other call neither ended nor waited on a lock within {patience}.");
                return;
            }

            await Task.Delay(10);
        }
    }
}
