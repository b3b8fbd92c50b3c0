using MediaForge.Credits;
using MediaForge.Credits.Benchmarks;

// The load harness behind docs/benchmarks.md (run it with benchmarks/run.sh). For each store it runs, side by side in
// this one process, the library against raw ADO.NET baselines (and the naive EF read-modify-write), auditing every
// ledger after every cell: deductions (DeductionCells), the new flows (FlowCells), balance reads and analytics on a
// bulk-loaded history (HistoryCells, AnalyticsCells) and HTTP (HttpCells); then writes the report (BenchReport).
var settings = Settings.Parse(args);
var report = new BenchReport(settings);

foreach (var storeName in settings.Stores)
{
    // "postgres" is the plain connection string (the headline); "postgres-prepared" the variant with Max Auto Prepare,
    // deduction cells only. "mariadb": deduction cells, the probe and the new flows (the history's bulk SQL and the
    // HTTP host are SQLite and PostgreSQL only).
    var variant = storeName == "postgres-prepared";
    await using var store = await BenchStore.CreateAsync(storeName, settings);
    await using var provider = BenchContext.Services(store);
    await provider.InitializeCreditsAsync(createSchema: true);
    var cx = new BenchContext(settings, store, provider, report, variant);
    report.Stores.Add($"- {store.Name}: {await store.DescribeAsync()}");
    if (settings.Profile)
    {
        await ProfileCells.RunAsync(cx);
        continue;
    }

    if (settings.HttpOnly || settings.ReadsOnly)
    {
        // Only the HTTP cells (--http-only) and/or the balance reads (--reads-only): users with a balance row each and
        // no history, seeded in one bulk insert per table.
        var seeded = HistoryCells.Readers(cx);
        BenchContext.Log($"{store.Name}: seeding {seeded.Count:N0} users with a balance");
        await store.SeedAccountsAsync(seeded, 1_000_000);
        await store.SettleAsync();
        if (settings.ReadsOnly)
        {
            await HistoryCells.RunReadsAsync(cx, seeded);
        }

        if (settings.HttpOnly)
        {
            await HttpCells.RunAsync(cx, seeded);
        }

        continue;
    }

    var deductions = !settings.AnalyticsOnly && settings.Runs("deductions");
    if (deductions)
    {
        await DeductionCells.RunAsync(cx);
    }

    if (settings.DeductionsOnly || variant)
    {
        continue;
    }

    if (!settings.AnalyticsOnly)
    {
        await FlowCells.RunAsync(cx);
    }

    if (!store.HasHistory || !(settings.Runs("history") || settings.Runs("http")))
    {
        continue;
    }

    var readers = await HistoryCells.LoadAsync(cx, removeBaselineUsage: deductions || settings.Runs("team-wallet"));
    if (settings.Runs("history"))
    {
        if (!settings.AnalyticsOnly)
        {
            await HistoryCells.RunReadsAsync(cx, readers);
        }

        await AnalyticsCells.RunAsync(cx);
    }

    if (!settings.AnalyticsOnly && settings.Runs("http"))
    {
        await HttpCells.RunAsync(cx, readers);
    }
}

await report.WriteAsync();
return 0;
