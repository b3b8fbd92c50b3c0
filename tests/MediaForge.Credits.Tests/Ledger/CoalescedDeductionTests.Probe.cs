using System.Data.Common;
using MediaForge.Credits.Tests.Infrastructure;
using MediaForge.Credits.Tests.Torture;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace MediaForge.Credits.Tests.Ledger;

/// <summary>The transaction probe of the group-commit tests.</summary>
public abstract partial class CoalescedDeductionTests<TDatabase>
{
    /// <summary>
    /// Once armed: counts the user's committed transactions, holds the first balance update until released (unless
    /// told not to), and fails the ledger insert that carries <c>failKey</c>.
    /// </summary>
    private protected sealed class TransactionProbe(string user, string? failKey, bool hold) : DbTransactionInterceptor
    {
        private readonly TaskCompletionSource held = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly SemaphoreSlim gate = new(0);
        private int armed, commits, starts, holding = hold ? 1 : 0;

        private string User { get; } = user;

        private string? FailKey { get; } = failKey;

        public DbCommandInterceptor Commands => new CommandProbe(this);

        public int Commits => Volatile.Read(ref commits);

        /// <summary>Transactions begun once armed: more than <see cref="Commits"/> when one was rolled back.</summary>
        public int Starts => Volatile.Read(ref starts);

        public void Arm() => armed = 1;

        public Task HeldAsync() => held.Task.WaitAsync(Patience);

        public void Release() => gate.Release();

        public override ValueTask<DbTransaction> TransactionStartedAsync(DbConnection connection, TransactionEndEventData eventData, DbTransaction result,
            CancellationToken cancellationToken = default)
        {
            if (Volatile.Read(ref armed) == 1)
            {
                Interlocked.Increment(ref starts);
            }

            return ValueTask.FromResult(result);
        }

        public override Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            if (Volatile.Read(ref armed) == 1)
            {
                Interlocked.Increment(ref commits);
            }

            return Task.CompletedTask;
        }

        private sealed class CommandProbe(TransactionProbe probe) : DbCommandInterceptor
        {
            public override async ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
                InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
            {
                if (Volatile.Read(ref probe.armed) == 1 && InterceptedCommand.Text(command).Contains("UPDATE credits ", StringComparison.Ordinal)
                    && InterceptedCommand.Carries(command, probe.User) && Interlocked.Exchange(ref probe.holding, 0) == 1)
                {
                    probe.held.TrySetResult();
                    await probe.gate.WaitAsync(Patience, cancellationToken);
                }

                // PostgreSQL runs the debit and the inserts as one statement (a reader).
                FailLedgerInsert(command);
                return result;
            }

            public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData,
                InterceptionResult<int> result, CancellationToken cancellationToken = default)
            {
                FailLedgerInsert(command);
                return ValueTask.FromResult(result);
            }

            private void FailLedgerInsert(DbCommand command)
            {
                if (probe.FailKey is not null && InterceptedCommand.Text(command).Contains("INSERT INTO credit_transactions ", StringComparison.Ordinal)
                    && InterceptedCommand.CarriesAmong(command, probe.FailKey))
                {
                    throw new InjectedFailureException("in the ledger insert of " + probe.FailKey);
                }
            }
        }
    }
}
