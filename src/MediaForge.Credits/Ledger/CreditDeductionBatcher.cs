using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;

namespace MediaForge.Credits.Ledger;

/// <summary>
/// Group commit for deductions (<see cref="CreditsOptions.CoalesceDeductions"/>). Concurrent callers queue their
/// deductions on a lane (chosen by user, so one user's deductions always share a lane and keep their order); each
/// lane's writer takes whatever has queued while its previous transaction ran and applies it in one transaction, on a
/// context from its own DI scope. Every deduction in it is the same conditional debit, ledger row and usage log as on
/// its own, so each caller gets its own outcome, only after the commit; one transaction and one commit are paid for
/// many. Nothing waits to fill a batch: a deduction that arrives on an idle lane runs at once, written by its own
/// caller as a batch of one (<see cref="TryTakeIdleLane"/>: no thread-pool hand-off, no second context).
/// </summary>
/// <remarks>
/// When one deduction of a batch fails before the commit, the transaction is rolled back whole and every caller runs
/// its deduction alone (the path without coalescing), except that the caller of a deduction that failed with
/// anything but a database error gets that failure, when it is known which one failed (a statement for several
/// blames none: alone, the one that fails fails again for its own caller). (A database
/// error may come from the batch itself: two deductions with one idempotency key in one batch; alone, the second
/// finds the first's outcome.) A failure of the commit itself goes to every caller of the batch, as it would to one.
/// The batch is ordered by user id, so transactions of several processes lock accounts in one order.
/// </remarks>
internal sealed partial class CreditDeductionBatcher(IServiceScopeFactory scopes, ILogger<CreditDeductionBatcher> logger) : IAsyncDisposable, IDisposable
{
    /// <summary>Most deductions in one transaction: bounds how long one transaction holds its locks.</summary>
    internal const int MaxBatchSize = 64;

    private readonly Lock gate = new();
    private Lane[]? lanes;
    private int queued;

    /// <summary>Deductions queued and not yet taken into a batch (for tests and diagnostics).</summary>
    internal int Queued => Volatile.Read(ref queued);

    /// <summary>
    /// Queues a deduction and waits for its outcome; <see langword="null"/> when it must run on its own instead (its
    /// batch was rolled back, or the batcher is shutting down).
    /// </summary>
    /// <param name="request">The validated deduction.</param>
    /// <param name="laneCount">How many lanes the store takes (1 for a single-writer database such as SQLite).</param>
    /// <param name="cancellationToken">Withdraws the deduction while it is still queued; once taken it completes.</param>
    public Task<CreditDeductionResult?> DeductAsync(CreditDeductionRequest request, int laneCount, CancellationToken cancellationToken)
    {
        var pending = new PendingDeduction(request);
        if (cancellationToken.CanBeCanceled)
        {
            pending.WithdrawOn(cancellationToken);
        }

        Interlocked.Increment(ref queued);
        var lane = LaneFor(request.UserId, laneCount);
        Interlocked.Increment(ref lane.Waiting);
        if (!lane.Queue.Writer.TryWrite(pending))
        {
            Interlocked.Decrement(ref lane.Waiting);
            Interlocked.Decrement(ref queued);
            // Stryker disable once Statement : equivalent: frees the token's registration early; cancelled later, it completes a task nobody awaits (the caller got null and runs alone)
            pending.Release();
            return Task.FromResult<CreditDeductionResult?>(null);
        }

        return pending.Completion.Task;
    }

    /// <summary>
    /// The lane of <paramref name="userId"/>, taken for its caller to write one deduction itself (as a batch of one, on
    /// its own context), when the lane is idle: no batch being written, nothing queued, and its last batch was of one
    /// (a lane under load keeps batching). Deductions that arrive meanwhile queue and go in the lane's next batch, after
    /// the caller gives the lane back by disposing the turn. <see langword="null"/>: queue with <see cref="DeductAsync"/>.
    /// </summary>
    public IDisposable? TryTakeIdleLane(string userId, int laneCount)
    {
        var lane = LaneFor(userId, laneCount);
        if (!lane.Idle || Volatile.Read(ref lane.Waiting) != 0)
        {
            return null;
        }

        return lane.Turn.Wait(0) ? new LaneTurn(lane) : null;
    }

    /// <summary>Closes the lanes and waits for the batches already taken.</summary>
    public async ValueTask DisposeAsync() => await Task.WhenAll(Close()).ConfigureAwait(false);

    /// <summary>Closes the lanes; batches already taken finish on their own.</summary>
    public void Dispose() => Close();

    private Task[] Close()
    {
        Lane[]? current;
        lock (gate)
        {
            current = lanes;
            lanes = [];
        }

        foreach (var lane in current ?? [])
        {
            lane.Queue.Writer.TryComplete();
        }

        return (current ?? []).Select(l => l.Writer).ToArray();
    }

    private Lane LaneFor(string userId, int laneCount)
    {
        var current = lanes;
        if (current is null)
        {
            lock (gate)
            {
                // Stryker disable once all : equivalent in results: more lanes spread users over more writers (throughput); a second
                // first caller finds the lanes made (??=) under the lock, and made again they would still be drained by their writers
                lanes ??= Enumerable.Range(0, Math.Max(1, laneCount)).Select(_ => new Lane(this)).ToArray();
                current = lanes;
            }
        }

        // Disposed: a closed lane makes the caller run on its own.
        return current.Length == 0 ? Lane.Closed : current[CreditUsageHour.ShardOf(userId, current.Length)];
    }

    private async Task RunAsync(Lane lane)
    {
        var queue = lane.Queue;
        var batch = new List<PendingDeduction>(MaxBatchSize);
        var requests = new List<CreditDeductionRequest>(MaxBatchSize);
        while (await queue.Reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
        {
            batch.Clear();
            // Callers whose previous deductions just completed are queued on the thread pool to come back with their
            // next: letting them run first makes the batch larger (and the costs per batch shared by more) for one
            // thread-pool hop of latency.
            // Stryker disable once Statement : equivalent in results: only lets more callers join the batch
            await Task.Yield();
            // A caller writing its own deduction on the idle lane finishes first.
            await lane.Turn.WaitAsync(CancellationToken.None).ConfigureAwait(false);
            try
            {
                await RunBatchAsync(lane, batch, requests).ConfigureAwait(false);
            }
            finally
            {
                lane.Turn.Release();
            }
        }
    }

    private async Task RunBatchAsync(Lane lane, List<PendingDeduction> batch, List<CreditDeductionRequest> requests)
    {
        var queue = lane.Queue;
        while (batch.Count < MaxBatchSize && queue.Reader.TryRead(out var pending))
        {
            Interlocked.Decrement(ref queued);
            Interlocked.Decrement(ref lane.Waiting);
            if (pending.TryTake())
            {
                // Stryker disable once Statement : equivalent: once taken, the caller's cancellation finds the state Taken and does nothing; this frees it early
                pending.Release();
                batch.Add(pending);
            }
        }

        lane.Idle = batch.Count <= 1;
        if (batch.Count == 0)
        {
            return;
        }

        // Stable: one user's deductions keep their order.
        // Stryker disable once Linq : equivalent in results: one order for every process's batches avoids deadlocks between them (a deadlock's victim runs alone)
        var ordered = batch.OrderBy(p => p.Request.UserId, StringComparer.Ordinal).ToList();
        requests.Clear();
        requests.AddRange(ordered.Select(p => p.Request));
        try
        {
            var scope = scopes.CreateAsyncScope();
            await using (scope.ConfigureAwait(false))
            {
                var deductions = scope.ServiceProvider.GetRequiredService<CreditDeductionBatch>();
                var outcome = await deductions.DeductAsync(requests, CancellationToken.None).ConfigureAwait(false);
                for (var i = 0; i < ordered.Count; i++)
                {
                    if (outcome.IsFailureOf(i))
                    {
                        ordered[i].Completion.TrySetException(outcome.Failure!);
                    }
                    else
                    {
                        ordered[i].Completion.TrySetResult(outcome.Results?[i]);
                    }
                }
            }
        }
        catch (Exception exception)
        {
            LogBatchFailed(ordered.Count, exception);
            foreach (var pending in ordered)
            {
                pending.Completion.TrySetException(exception);
            }
        }
    }

    [LoggerMessage(EventId = 1007, Level = LogLevel.Error, Message = "A batch of {Count} deductions failed; its callers get the error")]
    private partial void LogBatchFailed(int count, Exception exception);

    private sealed class Lane
    {
        public static readonly Lane Closed = new();

        // Stryker disable once Block : runs in Closed's static initialiser, before Stryker switches any mutant on (see the statement below)
        private Lane()
        {
            Queue = Channel.CreateUnbounded<PendingDeduction>();
            // Stryker disable once Statement : runs in Closed's static initialiser, before Stryker switches any mutant on; removed by hand, CoalescedDeductionTests' deduction after shut-down on the closed lane fails
            Queue.Writer.TryComplete();
            Writer = Task.CompletedTask;
        }

        public Lane(CreditDeductionBatcher owner)
        {
            // Stryker disable once Initializer,Boolean : equivalent: optimisations of the channel (one reader, the writer's continuations off the caller's thread)
            Queue = Channel.CreateUnbounded<PendingDeduction>(new UnboundedChannelOptions { SingleReader = true, AllowSynchronousContinuations = false });
            Writer = Task.Run(() => owner.RunAsync(this));
        }

        public Channel<PendingDeduction> Queue { get; }

        public Task Writer { get; }

        /// <summary>Held by whoever writes on the lane: its writer for a batch, or a caller on the idle lane for its own deduction.</summary>
        public SemaphoreSlim Turn { get; } = new(1, 1);

        /// <summary>Whether callers may write on the lane themselves (when nothing waits on it): its last batch was of one.</summary>
        public bool Idle
        {
            get => Volatile.Read(ref idle);
            set => Volatile.Write(ref idle, value);
        }

        /// <summary>Deductions queued on the lane and not yet taken.</summary>
        public int Waiting;

        private bool idle = true;
    }

    /// <summary>
    /// A caller's turn on an idle lane; disposing it gives the lane back (to its writer, if deductions queued meanwhile:
    /// while they wait no caller takes the lane, and the writer sets <see cref="Lane.Idle"/> from the batch it makes of them).
    /// </summary>
    private sealed class LaneTurn(Lane lane) : IDisposable
    {
        private int disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref disposed, 1) == 0)
            {
                lane.Turn.Release();
            }
        }
    }

    private sealed class PendingDeduction(CreditDeductionRequest request)
    {
        private const int Queued = 0, Taken = 1, Withdrawn = 2;
        private int state;
        private CancellationTokenRegistration registration;

        public CreditDeductionRequest Request { get; } = request;

        public TaskCompletionSource<CreditDeductionResult?> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void WithdrawOn(CancellationToken cancellationToken) =>
            registration = cancellationToken.UnsafeRegister(static (s, token) =>
            {
                var self = (PendingDeduction)s!;
                if (Interlocked.CompareExchange(ref self.state, Withdrawn, Queued) == Queued)
                {
                    self.Completion.TrySetCanceled(token);
                }
            }, this);

        /// <summary>Stops listening to the caller's token.</summary>
        public void Release() => registration.Dispose();

        /// <summary>Claims the deduction for a batch unless its caller withdrew it first.</summary>
        public bool TryTake() => Interlocked.CompareExchange(ref state, Taken, Queued) == Queued;
    }
}
