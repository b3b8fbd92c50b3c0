using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace MediaForge.Credits.Benchmarks;

/// <summary>
/// Every <see cref="ICreditAnalytics"/> query through DI on the bulk-loaded history (see <see cref="HistoryCells"/>),
/// each result first compared with a recomputation from the base rows; exports as time to first row and rows/s.
/// </summary>
internal static class AnalyticsCells
{
    public static async Task RunAsync(BenchContext cx)
    {
        var (store, provider) = (cx.Store, cx.Provider);
        // Analytics: every ICreditAnalytics query over the last 30 days (the admin endpoints' default), daily buckets.
        var now = DateTimeOffset.UtcNow;
        var month = new CreditAnalyticsRange(now.AddDays(-30), now, CreditAnalyticsBucket.Day);
        var quarter = new CreditAnalyticsRange(now.AddDays(-cx.Report.HistoryDays - 1), now, CreditAnalyticsBucket.Week);
        // Every result is first compared with a recomputation from the base rows (plain SQL aggregates, the definitions
        // the reports had before the roll-up and running totals); a mismatch is printed and fails the target.
        var checks = new Dictionary<CreditAnalyticsRange, RawAnalytics>
        {
            [month] = await store.RawAnalyticsAsync(month.From.UtcDateTime, month.To.UtcDateTime),
            [quarter] = await store.RawAnalyticsAsync(quarter.From.UtcDateTime, quarter.To.UtcDateTime),
        };
        foreach (var (name, range, query, check) in new (string, CreditAnalyticsRange, Func<ICreditAnalytics, CreditAnalyticsRange, Task<long>>, Func<ICreditAnalytics, RawAnalytics, Task<string?>>?)[]
                 {
                     ("GetUsageAsync", month, async (a, r) => (await a.GetUsageAsync(r)).Uses, (a, raw) => CheckUsageAsync(a, month, raw)),
                     ("GetUsageAsync", quarter, async (a, r) => (await a.GetUsageAsync(r)).Uses, (a, raw) => CheckUsageAsync(a, quarter, raw)),
                     ("GetTopUsersAsync (10)", month, async (a, r) => (await a.GetTopUsersAsync(r, 10)).Count, async (a, raw) =>
                         Mismatch("top 10 credits", (await a.GetTopUsersAsync(month, 10)).Sum(u => u.Credits), raw.TopTenCredits)),
                     ("GetConsumptionSplitAsync", month, async (a, r) => (await a.GetConsumptionSplitAsync(r)).CreditsConsumed, async (a, raw) =>
                     {
                         var split = await a.GetConsumptionSplitAsync(month);
                         return Mismatch("split (consumed, free, users)", (split.CreditsConsumed, split.FreeCredits, split.Users), (raw.SplitConsumed, raw.SplitFree, raw.SplitUsers));
                     }),
                     ("GetPurchasesAsync", month, async (a, r) => (await a.GetPurchasesAsync(r)).CheckoutsStarted, (a, raw) => CheckPurchasesAsync(a, month, raw)),
                     ("GetPurchasesAsync", quarter, async (a, r) => (await a.GetPurchasesAsync(r)).CheckoutsStarted, (a, raw) => CheckPurchasesAsync(a, quarter, raw)),
                     ("StreamTransactionsAsync (all rows)", month, async (a, r) => await CountAsync(a.StreamTransactionsAsync(r)), null),
                     ("StreamUsageAsync (all rows)", month, async (a, r) => await CountAsync(a.StreamUsageAsync(r)), null),
                 })
        {
            var label = range == month ? "30 days, daily" : $"{cx.Report.HistoryDays + 1} days, weekly";
            if (check is null)
            {
                // Exports: linear in the rows by nature, so no 200 ms target; time to the first row and rows per second.
                var stream = await TimeStreamAsync(provider, name.StartsWith("StreamUsage", StringComparison.Ordinal), range);
                cx.Report.Analytics.Add($"| {store.Name} | {name} (export, no 200 ms target) | {label} | {stream.Rows:N0} rows | 1 | first row {stream.FirstRowMs:0.0} | all rows {stream.TotalMs:0} ({stream.Rows / (stream.TotalMs / 1000):N0} rows/s) | n/a |");
                BenchContext.Log($"  export {name} ({label}): first row after {stream.FirstRowMs:0.0} ms, {stream.Rows:N0} rows in {stream.TotalMs:0} ms ({stream.Rows / (stream.TotalMs / 1000):N0} rows/s)");
                continue;
            }

            string? mismatch;
            await using (var scope = provider.CreateAsyncScope())
            {
                mismatch = await check(scope.ServiceProvider.GetRequiredService<ICreditAnalytics>(), checks[range]);
            }

            var (runs, p50, p99, result, slowestPause) = await TimeQueryAsync(provider, a => query(a, range), cx.Settings.AnalyticsBudget);
            cx.Report.Target($"{store.Name}: {name} ({label}) p99 < 200 ms, equal to the raw recomputation", $"{p99:0} ms{(mismatch is null ? "" : $"; **{mismatch}**")}", p99 < 200 && mismatch is null);
            cx.Report.Analytics.Add($"| {store.Name} | {name} | {label} | {result:N0} | {runs} | {p50:0.0} | {p99:0.0} | {(p99 < 200 ? "yes" : "**no**")}{(mismatch is null ? "" : $"; **{mismatch}**")} |");
            BenchContext.Log($"  analytics {name} ({label}): {runs} runs, p50 {p50:0.0} ms, p99 {p99:0.0} ms (longest GC pause inside one run {slowestPause:0.0} ms), result {result:N0}; {mismatch ?? "equal to the raw recomputation"}");
        }
    }

    private static async Task<long> CountAsync<T>(IAsyncEnumerable<T> rows)
    {
        long count = 0;
        await foreach (var _ in rows)
        {
            count++;
        }

        return count;
    }

    private static string? Mismatch<T>(string what, T actual, T expected) =>
        EqualityComparer<T>.Default.Equals(actual, expected) ? null : $"{what}: {actual} != raw {expected}";

    private static async Task<string?> CheckUsageAsync(ICreditAnalytics analytics, CreditAnalyticsRange range, RawAnalytics raw)
    {
        var report = await analytics.GetUsageAsync(range);
        return Mismatch("usage (uses, credits, active users, unlimited uses)",
                   (report.Uses, report.CreditsConsumed, report.ActiveUsers, report.UnlimitedUses), (raw.Uses, raw.Credits, raw.ActiveUsers, raw.UnlimitedUses))
               ?? Mismatch("usage series (uses, credits)", (report.Series.Sum(p => p.Uses), report.Series.Sum(p => p.Credits)), (raw.Uses, raw.Credits));
    }

    private static async Task<string?> CheckPurchasesAsync(ICreditAnalytics analytics, CreditAnalyticsRange range, RawAnalytics raw)
    {
        var report = await analytics.GetPurchasesAsync(range);
        return Mismatch("purchases (started, completed and free claims, paid revenue)",
            (report.CheckoutsStarted, report.Packages.Sum(p => p.Purchases), report.Series.Sum(p => p.AmountCents)),
            (raw.CheckoutsStarted, raw.Completed, raw.PaidRevenueCents));
    }

    // One export, after one warm-up run: time to the first row, total time, rows.
    private static async Task<(double FirstRowMs, double TotalMs, long Rows)> TimeStreamAsync(IServiceProvider provider, bool usage, CreditAnalyticsRange range)
    {
        async Task<(double, double, long)> RunAsync()
        {
            var begin = Stopwatch.GetTimestamp();
            await using var scope = provider.CreateAsyncScope();
            var analytics = scope.ServiceProvider.GetRequiredService<ICreditAnalytics>();
            double first = 0;
            long rows = 0;
            async Task Count<T>(IAsyncEnumerable<T> items)
            {
                await foreach (var _ in items)
                {
                    if (rows++ == 0)
                    {
                        first = Stopwatch.GetElapsedTime(begin).TotalMilliseconds;
                    }
                }
            }

            await (usage ? Count(analytics.StreamUsageAsync(range)) : Count(analytics.StreamTransactionsAsync(range)));
            return (first, Stopwatch.GetElapsedTime(begin).TotalMilliseconds, rows);
        }

        await RunAsync();
        return await RunAsync();
    }

    // Two warm-up runs, then runs until the budget is spent (at least 5, at most 50); each run in its own scope.
    private static async Task<(int Runs, double P50, double P99, long Result, double SlowestPauseMs)> TimeQueryAsync(IServiceProvider provider, Func<ICreditAnalytics, Task<long>> query, TimeSpan budget)
    {
        long result = 0;
        double slowestPause = 0;
        async Task<double> RunAsync()
        {
            var paused = GC.GetTotalPauseDuration();
            var begin = Stopwatch.GetTimestamp();
            await using var scope = provider.CreateAsyncScope();
            result = await query(scope.ServiceProvider.GetRequiredService<ICreditAnalytics>());
            var elapsed = Stopwatch.GetElapsedTime(begin).TotalMilliseconds;
            slowestPause = Math.Max(slowestPause, (GC.GetTotalPauseDuration() - paused).TotalMilliseconds);
            return elapsed;
        }

        await RunAsync();
        await RunAsync();
        // The heap settled before the series (as BenchmarkDotNet forces a collection between iterations): the garbage of
        // the cells before it (the bulk load, the raw recomputations) is not this query's to collect.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        slowestPause = 0;
        var times = new List<double>();
        var spent = Stopwatch.StartNew();
        while (times.Count < 5 || (times.Count < 50 && spent.Elapsed < budget))
        {
            times.Add(await RunAsync());
        }

        times.Sort();
        double Percentile(double p) => times[Math.Min(times.Count - 1, (int)Math.Ceiling(p * times.Count) - 1)];
        return (times.Count, Percentile(0.50), Percentile(0.99), result, slowestPause);
    }
}
