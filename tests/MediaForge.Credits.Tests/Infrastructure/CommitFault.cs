using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace MediaForge.Credits.Tests.Infrastructure;

/// <summary>A database error as a provider throws it (Npgsql and SQLite errors are <see cref="DbException"/>s).</summary>
public sealed class SimulatedDbException(string message) : DbException(message);

/// <summary>Where a <see cref="CommitFault"/> strikes.</summary>
public enum CommitFaultKind
{
    /// <summary>No fault.</summary>
    None,

    /// <summary>The COMMIT reached the database and was applied, then the connection failed before the acknowledgement.</summary>
    AcknowledgementLost,

    /// <summary>The connection failed before the COMMIT reached the database: nothing was applied.</summary>
    CommitNeverArrived,

    /// <summary>The process failed between two statements of the operation, before its commit (the transaction is rolled back).</summary>
    CrashBetweenStatements,
}

/// <summary>
/// Fails the next commit (or the next balance update) once, the way a flaky network or a crash would, with a
/// <see cref="SimulatedDbException"/>. Register it on the context options; <see cref="Arm"/> it before the operation.
/// </summary>
public sealed class CommitFault : DbTransactionInterceptor
{
    private int armed;

    /// <summary>The fault the next <see cref="Arm"/> sets.</summary>
    public CommitFaultKind Kind { get; private set; }

    /// <summary>How many times the fault struck.</summary>
    public int Struck => Volatile.Read(ref struck);

    private int struck;

    /// <summary>Interceptor of the operation's statements, for <see cref="CommitFaultKind.CrashBetweenStatements"/>.</summary>
    public DbCommandInterceptor Commands => new StatementFault(this);

    /// <summary>Fails the next commit (or balance update) once with <paramref name="kind"/>.</summary>
    public void Arm(CommitFaultKind kind)
    {
        Kind = kind;
        Volatile.Write(ref armed, kind == CommitFaultKind.None ? 0 : 1);
    }

    public override InterceptionResult TransactionCommitting(DbTransaction transaction, TransactionEventData eventData, InterceptionResult result)
    {
        Strike(CommitFaultKind.CommitNeverArrived, "before the commit reached the database");
        return result;
    }

    public override ValueTask<InterceptionResult> TransactionCommittingAsync(DbTransaction transaction, TransactionEventData eventData,
        InterceptionResult result, CancellationToken cancellationToken = default)
    {
        Strike(CommitFaultKind.CommitNeverArrived, "before the commit reached the database");
        return ValueTask.FromResult(result);
    }

    public override void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) =>
        Strike(CommitFaultKind.AcknowledgementLost, "after the commit was applied, before its acknowledgement");

    public override Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Strike(CommitFaultKind.AcknowledgementLost, "after the commit was applied, before its acknowledgement");
        return Task.CompletedTask;
    }

    private void Strike(CommitFaultKind kind, string where)
    {
        if (Kind == kind && Interlocked.Exchange(ref armed, 0) == 1)
        {
            Interlocked.Increment(ref struck);
            throw new SimulatedDbException("Simulated connection failure " + where);
        }
    }

    /// <summary>Fails the operation after its balance update ran, before its next statement.</summary>
    private sealed class StatementFault(CommitFault fault) : DbCommandInterceptor
    {
        public override async ValueTask<DbDataReader> ReaderExecutedAsync(DbCommand command, CommandExecutedEventData eventData, DbDataReader result,
            CancellationToken cancellationToken = default)
        {
            if (IsBalanceUpdate(command) && fault.Kind == CommitFaultKind.CrashBetweenStatements && Volatile.Read(ref fault.armed) == 1)
            {
                await result.DisposeAsync();
                fault.Strike(CommitFaultKind.CrashBetweenStatements, "between two statements");
            }

            return result;
        }

        public override ValueTask<int> NonQueryExecutedAsync(DbCommand command, CommandExecutedEventData eventData, int result,
            CancellationToken cancellationToken = default)
        {
            if (IsBalanceUpdate(command))
            {
                fault.Strike(CommitFaultKind.CrashBetweenStatements, "between two statements");
            }

            return ValueTask.FromResult(result);
        }

        private static bool IsBalanceUpdate(DbCommand command) => InterceptedCommand.Text(command).Contains("UPDATE credits ", StringComparison.Ordinal);
    }
}
