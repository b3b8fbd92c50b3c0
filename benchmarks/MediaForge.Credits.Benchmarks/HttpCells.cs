namespace MediaForge.Credits.Benchmarks;

/// <summary>
/// HTTP on one real Kestrel host per comparison: <c>GET /api/credits/balance</c> against a bare minimal-API endpoint
/// reading one row (same host, same users), and a <c>.RequireCredits</c> endpoint against a bare endpoint doing one raw
/// deduction. With <c>--http-rounds N</c> (default 1) the endpoints take turns N times, each turn a 1/N share of the
/// measured time (after one warm-up of each), so a burst of load from elsewhere on the machine hits both alike.
/// </summary>
internal static class HttpCells
{
    public static async Task RunAsync(BenchContext cx, List<string> readers)
    {
        await using (var http = await HttpBench.StartAsync(cx.Store))
        {
            var rates = await CompareAsync(cx, [("bare minimal API, raw ADO.NET read", HttpBench.BarePath), ("GET /api/credits/balance (library)", HttpBench.LibraryPath)],
                (path, random) => http.GetAsync(path, readers[random.Next(readers.Count)]));
            cx.Report.Target($"{cx.Store.Name}: GET /api/credits/balance ≥ 0.7× the bare endpoint", $"{rates[1] / rates[0]:0.00}×", rates[1] / rates[0] >= 0.7);
        }

        // Writes: a host with the store's write settings (SQLite's synchronous=FULL on every connection, as the deduction
        // cells), users of their own with plenty of credits.
        var users = cx.Settings.Users;
        await cx.SeedUsersAsync("httpb", users, 1_000_000_000);
        await cx.SeedUsersAsync("httpl", users, 1_000_000_000);
        await using (var http = await HttpBench.StartAsync(cx.Store, writes: true))
        {
            var rates = await CompareAsync(cx, [("POST, bare minimal API, one raw deduction", HttpBench.BareJobPath), ("POST, .RequireCredits (reserve, handler, capture)", HttpBench.LibraryJobPath)],
                (path, random) => http.PostAsync(path, $"{(path == HttpBench.BareJobPath ? "httpb" : "httpl")}.u.{random.Next(users):D5}"));
            cx.Report.Target($"{cx.Store.Name}: a .RequireCredits endpoint ≥ 0.6× a bare endpoint doing one raw deduction", $"{rates[1] / rates[0]:0.00}×", rates[1] / rates[0] >= 0.6);
        }

        foreach (var prefix in new[] { "httpb", "httpl" })
        {
            var audit = await cx.Store.AuditAsync(prefix + ".u.");
            var held = await cx.Store.ReservedAsync(prefix + ".u.");
            BenchContext.Log($"{cx.Store.Name} / HTTP / {prefix}: audit {audit}, credits still reserved {held}");
            if (audit.Mismatched != 0 || audit.Negative != 0 || held != 0)
            {
                cx.Report.Target($"{cx.Store.Name}, HTTP deductions ({prefix}): balance = Σ ledger, none overdrawn, no hold left", $"{audit}; reserved {held}", false);
            }
        }
    }

    /// <summary>The endpoints in turns; adds their rows (the first is the bare one) and returns their requests/s.</summary>
    private static async Task<double[]> CompareAsync(BenchContext cx, (string Name, string Path)[] endpoints, Func<string, Random, Task<bool>> call)
    {
        var (settings, store) = (cx.Settings, cx.Store);
        var turns = endpoints.Select(_ => new List<Measurement>()).ToArray();
        var cpu = new TimeSpan[endpoints.Length];
        var share = settings.HttpDuration / settings.HttpRounds;
        foreach (var (name, path) in endpoints)
        {
            BenchContext.Log($"{store.Name} / HTTP / {name}: warm-up");
            await LoadRunner.ForDurationAsync(settings.Workers, TimeSpan.Zero, settings.Warmup, random => call(path, random));
        }

        for (var round = 0; round < settings.HttpRounds; round++)
        {
            for (var e = 0; e < endpoints.Length; e++)
            {
                var (name, path) = endpoints[e];
                BenchContext.Log($"{store.Name} / HTTP / {name}{(settings.HttpRounds > 1 ? $" (round {round + 1} of {settings.HttpRounds})" : "")}");
                var process = System.Diagnostics.Process.GetCurrentProcess();
                var cpuBefore = process.TotalProcessorTime;
                var m = await LoadRunner.ForDurationAsync(settings.Workers, TimeSpan.Zero, share, random => call(path, random));
                process.Refresh();
                cpu[e] += process.TotalProcessorTime - cpuBefore;
                turns[e].Add(m);
                BenchContext.Log($"  {m.OpsPerSecond:N0} req/s, p50 {m.P50Ms:0.00} ms, p99 {m.P99Ms:0.00} ms, {m.AllocatedPerOperation / 1024.0:N1} KB/request, errors {m.Errors} {m.FirstError}");
            }

            if (settings.HttpRounds > 1)
            {
                BenchContext.Log($"  round {round + 1}: library / bare = {turns[1][^1].OpsPerSecond / turns[0][^1].OpsPerSecond:0.00}×");
            }
        }

        // Over all turns: requests / seconds; the latency percentiles are the medians of the turns' percentiles.
        static double Median(IEnumerable<double> values) => values.Order().ElementAt((values.Count() - 1) / 2);
        var rates = turns.Select(t => t.Sum(m => m.Operations) / t.Sum(m => m.Seconds)).ToArray();
        // This process's CPU per request (client, server and, on SQLite, the database): less sensitive than req/s to load
        // from elsewhere on the machine.
        double CpuPerRequest(int i) => cpu[i].TotalMicroseconds / turns[i].Sum(m => m.Operations);
        BenchContext.Log($"{store.Name} / HTTP: {endpoints[1].Name} / bare = {rates[1] / rates[0]:0.00}× ({rates[1]:N0} vs {rates[0]:N0} req/s); process CPU per request {CpuPerRequest(1):0} vs {CpuPerRequest(0):0} µs");
        for (var e = 0; e < endpoints.Length; e++)
        {
            var kb = turns[e].Average(m => m.AllocatedPerOperation) / 1024.0;
            cx.Report.Http.Add($"| {store.Name} | {endpoints[e].Name} | {rates[e]:N0} | {Median(turns[e].Select(m => m.P50Ms)):0.00} | {Median(turns[e].Select(m => m.P99Ms)):0.00} | {rates[e] / rates[0]:0.00}× | {kb:N1} | {turns[e].Sum(m => m.Errors):N0} |");
            if (turns[e].Sum(m => m.Errors) > 0)
            {
                cx.Report.Target($"{store.Name}, HTTP, {endpoints[e].Name}: no errors", $"{turns[e].Sum(m => m.Errors):N0}: {turns[e].First(m => m.FirstError is not null).FirstError}", false);
            }
        }

        return rates;
    }
}
