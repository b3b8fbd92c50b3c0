using System.Collections.Concurrent;
using MediaForge.Credits.Events;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace MediaForge.Credits.Benchmarks;

/// <summary>
/// The outbox's cost: the 16-worker deduction cell over <c>--users</c> users with host events off (no handler, no
/// low-balance threshold: the default), then on (<c>LowBalanceThreshold</c> 1,000,000, a handler of every event
/// registered with <c>AddEventHandler</c>). Users start 2 + 3k credits above the threshold: in the events-off cells and
/// the two host-like events-on cells k = user number mod 100, so about one deduction in a hundred crosses the threshold
/// and writes a <c>LowBalance</c> row in its transaction; one host-like cell runs with the dispatcher stopped (the
/// outbox written, delivered after the cell), the other with it running (100 ms poll; on SQLite its claims and marks
/// take the one write lock too). In the worst case k = 0 for everyone, so each user's first deduction writes one (later
/// ones none, as in a host). Checks: balance = Σ ledger, one event per user that crossed, each delivered exactly once.
/// The events-off baseline, a control (events off again, on services of its own: what two identical cells differ by
/// here, the cell's resolution) and the two host-like cells take turns, four rounds of half the flow duration each, each
/// round in a rotated order, so neither a burst of load from elsewhere nor a turn's position (after the dispatcher
/// stopped, say) favours one of them.
/// </summary>
internal static class OutboxCells
{
    private const long Threshold = 1_000_000;

    public static async Task RunAsync(BenchContext cx)
    {
        var (settings, store) = (cx.Settings, cx.Store);
        var tally = new EventTally();
        await using var provider = cx.Services(o =>
        {
            o.Events.LowBalanceThreshold = Threshold;
            o.Events.PollInterval = TimeSpan.FromMilliseconds(100);
        }, b => b.AddEventHandler<TallyingHandler>(), s => s.AddSingleton(tally));
        await using var control = cx.Services(null);
        // As a host starts them (and as the baseline's services were): services that skipped InitializeCreditsAsync ran
        // this cell 11–18% faster than the baseline on PostgreSQL in three runs (1.02–1.05× when initialized; not explained).
        await control.InitializeCreditsAsync();
        await provider.InitializeCreditsAsync();
        var users = settings.Users;
        foreach (var (prefix, spread) in new[] { ("obo", 100), ("obc", 100), ("obh", 100), ("obd", 100), ("obw", 1) })
        {
            var seeded = Enumerable.Range(0, users).Select(i => (User: $"{prefix}.u.{i:D5}", Balance: Threshold + 2 + 3 * (i % spread)));
            foreach (var group in seeded.GroupBy(u => u.Balance))
            {
                await store.SeedAccountsAsync([.. group.Select(u => u.User)], group.Key);
            }
        }

        await store.SettleAsync();
        var dispatcher = provider.GetServices<IHostedService>().Single(s => s is CreditEventDispatcher);
        var cells = new (string Name, string Prefix, IServiceProvider Services, bool Dispatch)[]
        {
            ("library, host events off (baseline)", "obo", cx.Provider, false),
            ("library, host events off again, services of its own (control: the cell's resolution)", "obc", control, false),
            ("library, host events on, 1 deduction in ~100 crosses the threshold: outbox written (dispatched after the cell)", "obh", provider, false),
            ("library, host events on, 1 deduction in ~100 crosses the threshold: written and dispatched during the cell", "obd", provider, true),
            ("library, host events on, worst case: each user's first deduction crosses (dispatched after the cell)", "obw", provider, false),
        };
        var dispatching = false;
        async Task<Measurement> TurnAsync(int cell, TimeSpan warmup, TimeSpan duration)
        {
            if (cells[cell].Dispatch != dispatching)
            {
                if (dispatching)
                {
                    // Stopped only once idle (every event delivered): a round cancelled mid-delivery would leave its
                    // events leased (LeaseDuration) and delivered again later.
                    await DrainAsync(store, "ob");
                }

                await (cells[cell].Dispatch ? dispatcher.StartAsync(CancellationToken.None) : dispatcher.StopAsync(CancellationToken.None));
                dispatching = cells[cell].Dispatch;
            }

            BenchContext.Log($"{store.Name} / outbox / {users:N0} users / {settings.Workers} workers / {cells[cell].Name}");
            return await LoadRunner.ForDurationAsync(settings.Workers, warmup, duration,
                random => BenchContext.DeductAsync(cells[cell].Services, $"{cells[cell].Prefix}.u.{random.Next(users):D5}"));
        }

        // Events off, the control and the two host-like cells take turns: four rounds, each in a rotated order.
        const int Rounds = 4;
        var turns = new[] { new List<Measurement>(), new List<Measurement>(), new List<Measurement>(), new List<Measurement>() };
        for (var round = 0; round < Rounds; round++)
        {
            for (var slot = 0; slot < turns.Length; slot++)
            {
                var cell = (slot + round) % turns.Length;
                turns[cell].Add(await TurnAsync(cell, round == 0 ? settings.Warmup : TimeSpan.Zero, settings.FlowDuration / 2));
            }
        }

        var worst = await TurnAsync(4, settings.Warmup, settings.FlowDuration);
        await dispatcher.StartAsync(CancellationToken.None); // delivers what the cells without it wrote
        var off = Measurement.Combine(turns[0]);
        var resolution = Measurement.Combine(turns[1]).OpsPerSecond / off.OpsPerSecond;
        for (var cell = 0; cell < cells.Length; cell++)
        {
            var (name, prefix, _, dispatch) = cells[cell];
            var m = cell < turns.Length ? Measurement.Combine(turns[cell]) : worst;
            var audit = await store.AuditAsync(prefix + ".");
            var crossed = await RawFlows.ScalarAsync(store, "SELECT COUNT(*) FROM credits WHERE user_id LIKE @p AND balance < @t", prefix + ".", ("t", Threshold));
            var written = await RawFlows.ScalarAsync(store, "SELECT COUNT(*) FROM credit_events WHERE wallet_id LIKE @p", prefix + ".");
            var undelivered = await DrainAsync(store, prefix + ".");

            var (delivered, duplicates) = tally.Of(prefix + ".");
            var expected = prefix is "obo" or "obc" ? 0 : crossed;
            cx.Report.Flow(store.Name, $"deductions, {users:N0} users, outbox", name, m, off.OpsPerSecond,
                new FlowAudit(audit.LostCredits, await RawFlows.OverdrawnAsync(store, prefix + "."), duplicates,
                    $"{crossed:N0} users below the threshold (warm-up included; {(double)crossed / Math.Max(1, m.Operations):P1} of the measured deductions' count), {written:N0} events written, {delivered:N0} delivered, {undelivered:N0} undelivered; users with balance ≠ Σ ledger {audit.Mismatched}"));
            if (written != expected || delivered != written || undelivered != 0)
            {
                cx.Report.Target($"{store.Name}, outbox, {name}: one event per crossing, each delivered", $"{crossed:N0} crossings, {written:N0} written, {delivered:N0} delivered", false);
            }

            if (prefix is "obh" or "obd")
            {
                var ratio = m.OpsPerSecond / off.OpsPerSecond;
                cx.Report.Target($"{store.Name}: host events cost ≤ 10% of deduction throughput (events on ≥ 0.90× off; 1 deduction in ~100 crosses the threshold; {(dispatch ? "written and dispatched" : "outbox written")})", $"{ratio:0.00}× (control, events off: {resolution:0.00}×)", ratio >= 0.9);
            }
        }

        await dispatcher.StopAsync(CancellationToken.None);
    }

    /// <summary>Waits (up to a minute) until every event of the wallets with the prefix is delivered; returns those still not.</summary>
    private static async Task<long> DrainAsync(BenchStore store, string prefix)
    {
        const string Sql = "SELECT COUNT(*) FROM credit_events WHERE wallet_id LIKE @p AND dispatched_at IS NULL";
        var undelivered = await RawFlows.ScalarAsync(store, Sql, prefix);
        for (var wait = 0; wait < 600 && undelivered > 0; wait++)
        {
            await Task.Delay(100);
            undelivered = await RawFlows.ScalarAsync(store, Sql, prefix);
        }

        return undelivered;
    }

    /// <summary>Deliveries per event id, by wallet.</summary>
    private sealed class EventTally
    {
        private readonly ConcurrentDictionary<Guid, (string Wallet, int Count)> deliveries = new();

        public void Add(CreditEvent creditEvent) =>
            deliveries.AddOrUpdate(creditEvent.EventId, (creditEvent.WalletId, 1), (_, d) => (d.Wallet, d.Count + 1));

        /// <returns>Events delivered to wallets with the prefix, and deliveries beyond the first.</returns>
        public (long Delivered, long Duplicates) Of(string prefix)
        {
            var mine = deliveries.Values.Where(d => d.Wallet.StartsWith(prefix, StringComparison.Ordinal)).ToList();
            return (mine.Count, mine.Sum(d => d.Count - 1L));
        }
    }

    private sealed class TallyingHandler(EventTally tally) : ICreditEventHandler<CreditEvent>
    {
        public Task HandleAsync(CreditEvent creditEvent, CancellationToken cancellationToken)
        {
            tally.Add(creditEvent);
            return Task.CompletedTask;
        }
    }
}
