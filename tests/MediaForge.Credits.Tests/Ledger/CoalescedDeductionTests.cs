using System.Data.Common;
using MediaForge.Credits.Internal;
using MediaForge.Credits.Tests.Infrastructure;
using MediaForge.Credits.Tests.Torture;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace MediaForge.Credits.Tests.Ledger;

/// <summary>
/// Group commit (<see cref="CreditsOptions.CoalesceDeductions"/>): deductions that queue while another one is being
/// written share the next transaction, and each keeps its own outcome. The first deduction is held inside its
/// transaction (at its balance update) until the others have queued, so the batching is deterministic.
/// </summary>
public abstract class CoalescedDeductionTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Deductions_QueuedWhileAnotherIsWritten_CommitTogetherInOneTransaction()
    {
        var (user, probe, services) = await StartAsync(credits: 300);

        var first = Deduct(services, user, "job-0");
        await probe.HeldAsync();
        var queued = Enumerable.Range(1, 10).Select(i => Deduct(services, user, "job-" + i)).ToList();
        await QueuedAsync(services, 10);
        probe.Release();
        var results = await Task.WhenAll([first, .. queued]).WaitAsync(Patience);

        Assert.All(results, r => Assert.True(r.Success));
        Assert.Equal(2, probe.Commits);
        Assert.Equal(Enumerable.Range(0, 11).Select(i => 300L - 3 * (i + 1)).Order(), results.Select(r => r.RemainingBalance).Order());
        Assert.Equal((267L, 267L, 12), await database.ReadLedgerAsync(user, services));
    }

    [Fact]
    public async Task Deductions_WithCoalescingOff_CommitOneTransactionEach()
    {
        var (user, probe, services) = await StartAsync(credits: 300, coalesce: false, hold: false);

        await Task.WhenAll(Enumerable.Range(0, 10).Select(i => Deduct(services, user, "job-" + i))).WaitAsync(Patience);

        Assert.Equal(10, probe.Commits);
        Assert.Equal((270L, 270L, 11), await database.ReadLedgerAsync(user, services));
    }

    [Fact]
    public async Task BatchedDeductions_BeyondTheBalance_AreRefusedEachOnItsOwn()
    {
        var (user, probe, services) = await StartAsync(credits: 9);

        var first = Deduct(services, user, "job-0");
        await probe.HeldAsync();
        var queued = Enumerable.Range(1, 5).Select(i => Deduct(services, user, "job-" + i)).ToList();
        await QueuedAsync(services, 5);
        probe.Release();
        var results = await Task.WhenAll([first, .. queued]).WaitAsync(Patience);

        Assert.Equal(3, results.Count(r => r.Success));
        Assert.Equal(3, results.Count(r => r.Error == CreditDeductionError.InsufficientCredits));
        Assert.Equal(2, probe.Commits);
        Assert.Equal((0L, 0L, 4), await database.ReadLedgerAsync(user, services));
        Assert.True((await database.AuditAsync(user)).IsConsistent);
    }

    [Fact]
    public async Task OneFailingDeductionInABatch_FailsAlone_AndTheOthersAreCharged()
    {
        var (user, probe, services) = await StartAsync(credits: 300, failKey: "job-3");

        var first = Deduct(services, user, "job-0");
        await probe.HeldAsync();
        var queued = Enumerable.Range(1, 5).Select(i => (Key: "job-" + i, Task: Deduct(services, user, "job-" + i))).ToList();
        await QueuedAsync(services, 5);
        probe.Release();
        await first.WaitAsync(Patience);

        await Assert.ThrowsAsync<InjectedFailureException>(() => queued.Single(q => q.Key == "job-3").Task.WaitAsync(Patience));
        var others = await Task.WhenAll(queued.Where(q => q.Key != "job-3").Select(q => q.Task)).WaitAsync(Patience);
        Assert.All(others, r => Assert.True(r.Success));
        Assert.Equal((285L, 285L, 6), await database.ReadLedgerAsync(user, services));
        Assert.True((await database.AuditAsync(user)).IsConsistent);
    }

    [Fact]
    public async Task QueuedDeduction_WhoseCallerCancels_IsWithdrawnAndChargesNothing()
    {
        var (user, probe, services) = await StartAsync(credits: 300);
        using var cancellation = new CancellationTokenSource();

        var first = Deduct(services, user, "job-0");
        await probe.HeldAsync();
        var withdrawn = Deduct(services, user, "job-1", cancellation.Token);
        await QueuedAsync(services, 1);
        await cancellation.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => withdrawn.WaitAsync(Patience));
        probe.Release();
        await first.WaitAsync(Patience);

        Assert.Equal((297L, 297L, 2), await database.ReadLedgerAsync(user, services));
    }

    private async Task<(string User, TransactionProbe Probe, ServiceProvider Services)> StartAsync(long credits, bool coalesce = true,
        string? failKey = null, bool hold = true)
    {
        var user = "batch_" + Guid.NewGuid().ToString("N");
        var probe = new TransactionProbe(user, failKey, hold);
        var services = database.BuildServices(database.ConnectionString, o => o.CoalesceDeductions = coalesce,
            configureContext: o => o.AddInterceptors(probe, probe.Commands));
        await using (var scope = services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<ICreditService>().AddCreditsAsync(user, credits, CreditTransactionType.Purchase, "credits");
        }

        probe.Arm();
        return (user, probe, services);
    }

    private static async Task<CreditDeductionResult> Deduct(IServiceProvider services, string user, string key, CancellationToken cancellationToken = default)
    {
        await using var scope = services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ICreditService>()
            .DeductCreditsAsync(user, "image-generation", "default", idempotencyKey: key, cancellationToken: cancellationToken);
    }

    private static async Task QueuedAsync(IServiceProvider services, int count)
    {
        var batcher = services.GetRequiredService<CreditDeductionBatcher>();
        using var deadline = new CancellationTokenSource(Patience);
        while (batcher.Queued < count)
        {
            await Task.Delay(5, deadline.Token);
        }
    }

    /// <summary>
    /// Once armed: counts the user's committed transactions, holds the first balance update until released (unless
    /// told not to), and fails the ledger insert that carries <c>failKey</c>.
    /// </summary>
    private sealed class TransactionProbe(string user, string? failKey, bool hold) : DbTransactionInterceptor
    {
        private readonly TaskCompletionSource held = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly SemaphoreSlim gate = new(0);
        private int armed, commits, holding = hold ? 1 : 0;

        private string User { get; } = user;

        private string? FailKey { get; } = failKey;

        public DbCommandInterceptor Commands => new CommandProbe(this);

        public int Commits => Volatile.Read(ref commits);

        public void Arm() => armed = 1;

        public Task HeldAsync() => held.Task.WaitAsync(Patience);

        public void Release() => gate.Release();

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
                    && InterceptedCommand.Carries(command, probe.FailKey))
                {
                    throw new InjectedFailureException("in the ledger insert of " + probe.FailKey);
                }
            }
        }
    }
}

public sealed class SqliteCoalescedDeductionTests(SqliteCreditsDatabase database) : CoalescedDeductionTests<SqliteCreditsDatabase>(database);

public sealed class PostgresCoalescedDeductionTests(PostgresCreditsDatabase database) : CoalescedDeductionTests<PostgresCreditsDatabase>(database);
