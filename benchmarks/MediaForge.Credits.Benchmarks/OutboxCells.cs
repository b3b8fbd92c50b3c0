using System.Collections.Concurrent;
using MediaForge.Credits.Events;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace MediaForge.Credits.Benchmarks;

/// <summary>
/// The outbox's cost: the 16-worker deduction cell over <c>--users</c> users with host events off (no handler, no
/// low-balance threshold: the default), then on (<c>LowBalanceThreshold</c> 1,000,000, a handler of every event
/// registered with <c>AddEventHandler</c>): first with the dispatcher stopped during the cell (the outbox rows are
/// written in the deductions' transactions, then delivered after the cell), then with the dispatcher running during the
/// cell (100 ms poll; on SQLite its claims and marks take the one write lock too). Every user starts 2 credits above the
/// threshold in every cell, so each user's first deduction writes a <c>LowBalance</c> row (later deductions of the user
/// write none, as in a host). Checks: balance = Σ ledger, one event per user that crossed, each delivered exactly once.
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
        var users = settings.Users;
        foreach (var prefix in new[] { "obo", "obi", "obd" })
        {
            await cx.SeedUsersAsync(prefix, users, Threshold + 2);
        }

        await store.SettleAsync();
        var dispatcher = provider.GetServices<IHostedService>().Single(s => s is CreditEventDispatcher);
        Measurement? off = null;
        foreach (var (name, prefix, services) in new (string, string, IServiceProvider)[]
                 {
                     ("library, host events off (baseline)", "obo", cx.Provider),
                     ("library, host events on, outbox written (dispatched after the cell)", "obi", provider),
                     ("library, host events on, outbox written and dispatched during the cell", "obd", provider),
                 })
        {
            if (prefix == "obd")
            {
                await dispatcher.StartAsync(CancellationToken.None);
            }

            BenchContext.Log($"{store.Name} / outbox / {users:N0} users / {settings.Workers} workers / {name}");
            var m = await LoadRunner.ForDurationAsync(settings.Workers, settings.Warmup, settings.FlowDuration,
                random => BenchContext.DeductAsync(services, $"{prefix}.u.{random.Next(users):D5}"));
            off ??= m;
            if (prefix == "obi")
            {
                await dispatcher.StartAsync(CancellationToken.None);
            }

            var audit = await store.AuditAsync(prefix + ".");
            var crossed = await RawFlows.ScalarAsync(store, "SELECT COUNT(*) FROM credits WHERE user_id LIKE @p AND balance < @t", prefix + ".", ("t", Threshold));
            var written = await RawFlows.ScalarAsync(store, "SELECT COUNT(*) FROM credit_events WHERE wallet_id LIKE @p", prefix + ".");
            var undelivered = written;
            for (var wait = 0; wait < 600 && undelivered > 0; wait++)
            {
                await Task.Delay(100);
                undelivered = await RawFlows.ScalarAsync(store, "SELECT COUNT(*) FROM credit_events WHERE wallet_id LIKE @p AND dispatched_at IS NULL", prefix + ".");
            }

            var (delivered, duplicates) = tally.Of(prefix + ".");
            var expected = prefix == "obo" ? 0 : crossed;
            cx.Report.Flow(store.Name, $"deductions, {users:N0} users, outbox", name, m, off.OpsPerSecond,
                new FlowAudit(audit.LostCredits, await RawFlows.OverdrawnAsync(store, prefix + "."), duplicates,
                    $"{crossed:N0} users crossed the threshold (warm-up included; {(double)crossed / Math.Max(1, m.Operations):P0} of the measured deductions' count), {written:N0} events written, {delivered:N0} delivered, {undelivered:N0} undelivered; users with balance ≠ Σ ledger {audit.Mismatched}"));
            if (written != expected || delivered != written || undelivered != 0)
            {
                cx.Report.Target($"{store.Name}, outbox, {name}: one event per crossing, each delivered", $"{crossed:N0} crossings, {written:N0} written, {delivered:N0} delivered", false);
            }

            if (prefix != "obo")
            {
                var ratio = m.OpsPerSecond / off.OpsPerSecond;
                cx.Report.Target($"{store.Name}: host events cost ≤ 10% of deduction throughput (events on ≥ 0.90× off), {(prefix == "obi" ? "outbox written" : "written and dispatched during the cell")}", $"{ratio:0.00}×", ratio >= 0.9);
            }
        }

        await dispatcher.StopAsync(CancellationToken.None);
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
