using System.Data.Common;
using MediaForge.Credits.Tests.Infrastructure;
using MediaForge.Credits.Tests.Torture;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace MediaForge.Credits.Tests.Teams;

/// <summary>
/// Once armed with a wallet: counts transactions begun and committed and statements on the member rows, holds the
/// first debit of the wallet until released, and fails the ledger insert that carries <c>failKey</c>.
/// </summary>
internal sealed class TeamTransactionProbe(string? failKey = null) : DbTransactionInterceptor
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly TaskCompletionSource held = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim gate = new(0);
    private string? wallet;

    private string? FailKey { get; } = failKey;
    private int commits, committing, starting, starts, debits, memberStatements, holding = 1;

    public DbCommandInterceptor Commands => new CommandProbe(this);

    public int Commits => Volatile.Read(ref commits);

    public int Starts => Volatile.Read(ref starts);

    /// <summary>Debits of the wallet's balance row once armed.</summary>
    public int WalletDebits => Volatile.Read(ref debits);

    /// <summary>Statements naming the team members' table once armed (member locks, limit reads, counts).</summary>
    public int MemberStatements => Volatile.Read(ref memberStatements);

    /// <summary>Runs before every command once armed (a test's own statement in the command's transaction, say).</summary>
    public Func<DbCommand, Task>? BeforeCommand { get; set; }

    /// <summary>A member whose usage log insert fails.</summary>
    public string? FailMember { get; set; }

    public void Arm(string account) => Volatile.Write(ref wallet, account);

    public Task HeldAsync() => held.Task.WaitAsync(Patience);

    public void Release() => gate.Release();

    /// <summary>The transaction, counted from 1 once armed, that fails before it begins (0: none).</summary>
    public int FailStart { get; set; }

    public override ValueTask<InterceptionResult<DbTransaction>> TransactionStartingAsync(DbConnection connection, TransactionStartingEventData eventData,
        InterceptionResult<DbTransaction> result, CancellationToken cancellationToken = default)
    {
        if (Volatile.Read(ref wallet) is not null && Interlocked.Increment(ref starting) == FailStart)
        {
            throw new InjectedFailureException("in transaction start " + FailStart);
        }

        return ValueTask.FromResult(result);
    }

    public override ValueTask<DbTransaction> TransactionStartedAsync(DbConnection connection, TransactionEndEventData eventData, DbTransaction result,
        CancellationToken cancellationToken = default)
    {
        Count(ref starts);
        return ValueTask.FromResult(result);
    }

    /// <summary>The commit, counted from 1 once armed, that fails before it reaches the database (0: none).</summary>
    public int FailCommit { get; set; }

    public override ValueTask<InterceptionResult> TransactionCommittingAsync(DbTransaction transaction, TransactionEventData eventData, InterceptionResult result,
        CancellationToken cancellationToken = default)
    {
        if (Volatile.Read(ref wallet) is not null && Interlocked.Increment(ref committing) == FailCommit)
        {
            throw new InjectedFailureException("in commit " + FailCommit);
        }

        return ValueTask.FromResult(result);
    }

    public override Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Count(ref commits);
        return Task.CompletedTask;
    }

    private void Count(ref int counter)
    {
        if (Volatile.Read(ref wallet) is not null)
        {
            Interlocked.Increment(ref counter);
        }
    }

    private sealed class CommandProbe(TeamTransactionProbe probe) : DbCommandInterceptor
    {
        public override async ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            await HoldAsync(command, cancellationToken);
            return result;
        }

        public override async ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            await HoldAsync(command, cancellationToken);
            return result;
        }

        private async Task HoldAsync(DbCommand command, CancellationToken cancellationToken)
        {
            var text = InterceptedCommand.Text(command);
            if (Volatile.Read(ref probe.wallet) is not null && probe.BeforeCommand is { } before)
            {
                await before(command);
            }

            if (Volatile.Read(ref probe.wallet) is not null && text.Contains("credit_team_members", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref probe.memberStatements);
            }

            if (Volatile.Read(ref probe.wallet) is { } account && text.Contains("UPDATE credits ", StringComparison.Ordinal) && text.Contains("reserved >=", StringComparison.Ordinal)
                && InterceptedCommand.Carries(command, account))
            {
                Interlocked.Increment(ref probe.debits);
                if (Interlocked.Exchange(ref probe.holding, 0) == 1)
                {
                    probe.held.TrySetResult();
                    await probe.gate.WaitAsync(Patience, cancellationToken);
                }
            }

            if (probe.FailMember is { } member && text.Contains("INSERT INTO usage_logs ", StringComparison.Ordinal) && InterceptedCommand.Carries(command, member))
            {
                throw new InjectedFailureException("in the usage log insert of " + member);
            }

            if (probe.FailKey is { } key && text.Contains("INSERT INTO credit_transactions ", StringComparison.Ordinal) && InterceptedCommand.Carries(command, key))
            {
                throw new InjectedFailureException("in the ledger insert of " + key);
            }
        }
    }
}
