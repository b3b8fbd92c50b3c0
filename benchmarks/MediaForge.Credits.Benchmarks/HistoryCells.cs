using System.Diagnostics;
using MediaForge.Credits.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MediaForge.Credits.Benchmarks;

/// <summary>
/// The history the read and analytics figures run on (about <c>--ledger-rows</c> ledger rows, bulk-loaded), and the
/// balance reads on it: one caller, random users, the raw SELECT of the balance row against the library's two reads.
/// </summary>
internal static class HistoryCells
{
    /// <summary>Loads the history and settles the database; returns the users of the history (the readers).</summary>
    public static async Task<List<string>> LoadAsync(BenchContext cx, bool removeBaselineUsage)
    {
        var (settings, store, report) = (cx.Settings, cx.Store, cx.Report);
        if (removeBaselineUsage)
        {
            BenchContext.Log($"{store.Name}: removed {await store.RemoveBaselineUsageAsync():N0} usage rows of the raw and naive baselines before the history (analytics run on rows the library writes)");
        }

        BenchContext.Log($"{store.Name}: bulk-loading a history of about {settings.LedgerRows:N0} ledger rows over {report.HistoryDays} days");
        var loadClock = Stopwatch.StartNew();
        var readers = Readers(cx);
        var loaded = await store.SeedHistoryAsync(readers, report.RowsPerUser, report.HistoryDays);
        var loadSeconds = loadClock.Elapsed.TotalSeconds;
        var ledgerRows = await CountLedgerRowsAsync(cx.Provider);
        await store.SettleAsync();
        BenchContext.Log($"  {loadSeconds:0.0} s; loaded {loaded}; credit_transactions now holds {ledgerRows:N0} rows");
        report.History.Add($"- {store.Name}: {ledgerRows:N0} ledger rows in all ({loaded.Ledger:N0} of them the history of {readers.Count:N0} users over {report.HistoryDays} days), {loaded.Usage:N0} usage logs, {loaded.Purchases:N0} purchases; loaded in {loadSeconds:0} s");
        return readers;
    }

    /// <summary>The users of the history (<c>read.00000</c>...), one per <see cref="BenchReport.RowsPerUser"/> ledger rows.</summary>
    public static List<string> Readers(BenchContext cx) =>
        [.. Enumerable.Range(0, cx.Settings.LedgerRows / cx.Report.RowsPerUser).Select(i => $"read.{i:D5}")];

    // Balance reads: one caller, random users; the raw SELECT of the balance row against the library's two reads, in
    // three rounds of a third of the calls each, each round in a rotated order (measured one after the other, the raw read
    // first, the ratio moved with whatever the server did meanwhile: 0.52× in one full run, 0.78–0.86× alone).
    public static async Task RunReadsAsync(BenchContext cx, List<string> readers)
    {
        var (settings, store, provider) = (cx.Settings, cx.Store, cx.Provider);
        var ledgerRows = await CountLedgerRowsAsync(provider);
        var reads = new (string Name, Func<string, Task<bool>> Read)[]
        {
            ("raw SELECT of the balance row", async user => await store.RawBalanceAsync(user) > 0),
            ("GetBalanceAsync", user => BenchContext.InScopeAsync<ICreditService, bool>(provider, async c => (await c.GetBalanceAsync(user)).Balance > 0)),
            ("CheckCreditsAsync", user => BenchContext.InScopeAsync<ICreditService, bool>(provider, async c => (await c.CheckCreditsAsync(user, "image-generation", "default")).HasCredits)),
        };
        const int Rounds = 3;
        var turns = reads.Select(_ => new List<Measurement>()).ToArray();
        for (var round = 0; round < Rounds; round++)
        {
            for (var slot = 0; slot < reads.Length; slot++)
            {
                var i = (slot + round) % reads.Length;
                turns[i].Add(await LoadRunner.ForCountAsync(1, round == 0 ? settings.ReadWarmup : 0, settings.Reads / Rounds,
                    random => reads[i].Read(readers[random.Next(readers.Count)])));
            }
        }

        for (var i = 0; i < reads.Length; i++)
        {
            var (name, m) = (reads[i].Name, Measurement.Combine(turns[i]));
            if (store.Name == "SQLite" && i > 0)
            {
                cx.Report.Target($"SQLite, {ledgerRows:N0} ledger rows: {name} p99 < 2 ms", $"{m.P99Ms:0.000} ms", m.P99Ms < 2);
            }

            cx.Report.Reads.Add($"| {store.Name} | {ledgerRows:N0} | {name} | {m.OpsPerSecond:N0} | {m.P50Ms:0.000} | {m.P99Ms:0.000} | {m.Errors:N0} |");
            BenchContext.Log($"  {name}: {m.OpsPerSecond:N0} calls/s, p50 {m.P50Ms:0.000} ms, p99 {m.P99Ms:0.000} ms, errors {m.Errors} {m.FirstError}");
        }
    }

    public static async Task<long> CountLedgerRowsAsync(IServiceProvider provider)
    {
        await using var scope = provider.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<CreditsDbContext>().Transactions.LongCountAsync();
    }
}
