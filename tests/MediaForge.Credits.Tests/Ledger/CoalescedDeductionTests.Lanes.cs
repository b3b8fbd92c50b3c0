using MediaForge.Credits.Ledger;
using MediaForge.Credits.Storage;
using MediaForge.Credits.Tests.Infrastructure;
using MediaForge.Credits.Tests.Torture;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace MediaForge.Credits.Tests.Ledger;

/// <summary>
/// The batcher's lanes: how many deductions a batch takes, when a lane is idle again (its callers write their own
/// deductions), which caller a failed round blames, and shutting down.
/// </summary>
public abstract partial class CoalescedDeductionTests<TDatabase>
{
    [Fact]
    public async Task QueuedDeductions_MoreThanOneBatchTakes_CommitInBatchesOfAtMost64_AndNoneIsLeftQueued()
    {
        var logs = new FakeLogCollector();
        var (user, probe, services) = await StartAsync(credits: 300, configureServices: s => s.AddLogsTo(logs));

        var first = Deduct(services, user, "job-0");
        await probe.HeldAsync();
        var queued = Enumerable.Range(1, CreditDeductionBatcher.MaxBatchSize + 1).Select(i => Deduct(services, user, "job-" + i)).ToList();
        await QueuedAsync(services, CreditDeductionBatcher.MaxBatchSize + 1);
        probe.Release();
        var results = await Task.WhenAll([first, .. queued]).WaitAsync(Patience);

        // Each caller its own deduction's answer: none a replay of another's.
        Assert.All(results, r => Assert.True(r.Success && !r.IsReplay));
        // The first alone, then a batch of 64 and a batch of the one left.
        Assert.Equal(3, probe.Commits);
        Assert.Equal(0, services.GetRequiredService<CreditDeductionBatcher>().Queued);
        Assert.DoesNotContain(logs.GetSnapshot(), l => l.Level >= LogLevel.Warning);
        Assert.Equal((102L, 102L, 67), await database.ReadLedgerAsync(user, services));
    }

    [Fact]
    public async Task Lane_AfterABatchOfSeveral_IsIdleAgainOnceABatchOfOneRan()
    {
        var commits = new CommitContexts();
        var (user, probe, services) = await StartAsync(credits: 300, observer: commits);

        var first = Deduct(services, user, "job-0");
        await probe.HeldAsync();
        var queued = new[] { Deduct(services, user, "job-1"), Deduct(services, user, "job-2") };
        await QueuedAsync(services, 2);
        probe.Release();
        await Task.WhenAll([first, .. queued]).WaitAsync(Patience);
        var underLoad = await DeductInOwnContextAsync(services, commits, user, "job-3");
        var idleAgain = await DeductInOwnContextAsync(services, commits, user, "job-4");

        // A lane whose last batch had several goes on batching (the writer's context); after a batch of one it is idle.
        Assert.Equal((false, true), (underLoad, idleAgain));
    }

    [Fact]
    public async Task DisposeAsync_WaitsForTheDeductionsAlreadyQueued_WhichAreCharged()
    {
        var (user, probe, services) = await StartAsync(credits: 300);
        var batcher = services.GetRequiredService<CreditDeductionBatcher>();

        var first = Deduct(services, user, "job-0");
        await probe.HeldAsync();
        var queued = Deduct(services, user, "job-1");
        await QueuedAsync(services, 1);
        var disposing = batcher.DisposeAsync().AsTask();
        var finishedWhileHeld = disposing.IsCompleted;
        probe.Release();
        var results = await Task.WhenAll(first, queued).WaitAsync(Patience);
        await disposing.WaitAsync(Patience);

        Assert.False(finishedWhileHeld);
        Assert.All(results, r => Assert.True(r.Success));
        Assert.Equal((294L, 294L, 3), await database.ReadLedgerAsync(user, services));
    }

    [Fact]
    public async Task Deduction_AfterTheBatcherShutDown_RunsAlone_AndIsCharged()
    {
        var (user, _, services) = await StartAsync(credits: 300, hold: false);
        await services.GetRequiredService<CreditDeductionBatcher>().DisposeAsync();

        var result = await Deduct(services, user, "job-0").WaitAsync(Patience);

        Assert.Equal((true, 297L), (result.Success, result.RemainingBalance));
    }

    [Fact]
    public async Task Deduction_AfterTheBatcherShutDownWhileTheClosedLanesTurnIsTaken_RunsAlone_AndLeavesTheLaneFree()
    {
        var (user, _, services) = await StartAsync(credits: 300, hold: false);
        var batcher = services.GetRequiredService<CreditDeductionBatcher>();
        await batcher.DisposeAsync();

        CreditDeductionResult result;
        using (await TakeClosedLaneAsync(batcher, user)) // another caller writing on the closed lane: this one cannot take it
        {
            result = await Deduct(services, user, "job-0").WaitAsync(Patience);
        }

        Assert.Equal((true, 297L), (result.Success, result.RemainingBalance));
        Assert.Equal(0, batcher.Queued);
        using var again = await TakeClosedLaneAsync(batcher, user); // nothing counted as waiting on it: free for the next caller
    }

    /// <summary>
    /// The turn of the lane every shut-down batcher shares; waits while a test of another database class holds it for
    /// the moment its own deduction takes.
    /// </summary>
    private static async Task<IDisposable> TakeClosedLaneAsync(CreditDeductionBatcher batcher, string user)
    {
        using var patience = new CancellationTokenSource(Patience);
        IDisposable? turn;
        while ((turn = batcher.TryTakeIdleLane(user, 1)) is null)
        {
            await Task.Delay(10, patience.Token);
        }

        return turn;
    }

    [Fact]
    public async Task OneFailingDeductionInARoundOfSeveralUsers_FailsAlone_AndTheOthersOfItsRoundAreCharged()
    {
        string[] names = ["a", "b", "c"];
        var (holder, probe, services) = await StartAsync(credits: 300, failKey: "job-c", seed: async (credits, user) =>
        {
            foreach (var name in names)
            {
                await credits.AddCreditsAsync(user + name, 30, CreditTransactionType.Purchase, "credits");
            }
        });

        var first = Deduct(services, holder, "job-0");
        await probe.HeldAsync();
        var queued = names.Select(name => Deduct(services, holder + name, "job-" + name)).ToList();
        await QueuedAsync(services, names.Length);
        probe.Release();
        await first.WaitAsync(Patience);

        // One round (a user each); the round's failure blames none of them, so each runs alone and only c's fails again.
        await Assert.ThrowsAsync<InjectedFailureException>(() => queued[2].WaitAsync(Patience));
        Assert.All(await Task.WhenAll(queued[..2]).WaitAsync(Patience), r => Assert.Equal((true, 27L), (r.Success, r.RemainingBalance)));
        Assert.Equal((30L, 30L, 1), await database.ReadLedgerAsync(holder + "c", services));
    }

    /// <summary>Deducts in a scope of its own; whether the deduction committed in that scope's context (the caller wrote it).</summary>
    private static async Task<bool> DeductInOwnContextAsync(IServiceProvider services, CommitContexts commits, string user, string key)
    {
        await using var scope = services.CreateAsyncScope();
        var context = scope.ServiceProvider.GetRequiredService<CreditsDbContext>();
        commits.Clear();
        var result = await scope.ServiceProvider.GetRequiredService<ICreditService>()
            .DeductCreditsAsync(user, "image-generation", "default", idempotencyKey: key).WaitAsync(Patience);
        Assert.True(result.Success);
        return ReferenceEquals(context, Assert.Single(commits.Seen));
    }
}
