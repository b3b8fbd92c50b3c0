using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace MediaForge.Credits.Tests.Infrastructure;

/// <summary>
/// Fails the next <see cref="Arm"/>ed number of balance updates after they ran, before the operation's next statement,
/// with the exception <paramref name="failure"/> makes (default: a <see cref="SimulatedDbException"/>).
/// </summary>
public sealed class FailingBalanceUpdates(Func<Exception>? failure = null) : DbCommandInterceptor
{
    private int left;
    private int struck;

    /// <summary>How many times it failed an update.</summary>
    public int Struck => Volatile.Read(ref struck);

    /// <summary>Fails the next <paramref name="failures"/> balance updates.</summary>
    public void Arm(int failures) => Volatile.Write(ref left, failures);

    public override async ValueTask<DbDataReader> ReaderExecutedAsync(DbCommand command, CommandExecutedEventData eventData, DbDataReader result,
        CancellationToken cancellationToken = default)
    {
        if (IsBalanceUpdate(command) && Volatile.Read(ref left) > 0)
        {
            await result.DisposeAsync();
            Strike();
        }

        return result;
    }

    public override ValueTask<int> NonQueryExecutedAsync(DbCommand command, CommandExecutedEventData eventData, int result,
        CancellationToken cancellationToken = default)
    {
        if (IsBalanceUpdate(command))
        {
            Strike();
        }

        return ValueTask.FromResult(result);
    }

    private void Strike()
    {
        if (Interlocked.Decrement(ref left) >= 0)
        {
            Interlocked.Increment(ref struck);
            throw failure?.Invoke() ?? new SimulatedDbException("Simulated failure after the balance update");
        }
    }

    private static bool IsBalanceUpdate(DbCommand command) => InterceptedCommand.Text(command).Contains("UPDATE credits ", StringComparison.Ordinal);
}

/// <summary>A database error with an SQLSTATE, as a deadlock's victim (40001, 40P01) or any other failure gets.</summary>
public sealed class SimulatedSqlStateException(string sqlState) : DbException("Simulated database error " + sqlState)
{
    public override string SqlState => sqlState;
}
