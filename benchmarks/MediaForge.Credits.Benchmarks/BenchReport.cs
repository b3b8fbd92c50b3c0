using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace MediaForge.Credits.Benchmarks;

/// <summary>The rows every group of cells adds, and the Markdown report written from them at the end of the run.</summary>
internal sealed class BenchReport(Settings settings)
{
    private readonly Stopwatch clock = Stopwatch.StartNew();

    public List<string> Deductions { get; } = [];

    public List<string> Probes { get; } = [];

    public List<string> Flows { get; } = [];

    public List<string> Reads { get; } = [];

    public List<string> Stores { get; } = [];

    public List<string> History { get; } = [];

    public List<string> Analytics { get; } = [];

    public List<string> Http { get; } = [];

    public List<string> Targets { get; } = [];

    public int RowsPerUser => 100;

    public int HistoryDays => 90;

    public void Target(string what, string figure, bool met) => Targets.Add($"| {what} | {figure} | {(met ? "met" : "**missed**")} |");

    /// <summary>
    /// A row of the new-flows table: the cell's figures against its baseline (<paramref name="baseline"/> ops/s of the
    /// same shape) and its checks; a check that is not 0 also fails a target.
    /// </summary>
    public void Flow(string store, string flow, string approach, Measurement m, double baseline, FlowAudit audit)
    {
        Flows.Add($"| {store} | {flow} | {approach} | {m.OpsPerSecond:N0} | {m.P50Ms:0.00} | {m.P99Ms:0.00} | {m.OpsPerSecond / baseline:0.00}× | {m.AllocatedPerOperation / 1024.0:N1} | {m.Succeeded:N0} | {m.Refused:N0} | {m.Errors:N0} | {audit.LostCredits:N0} | {audit.Overdrawn:N0} | {audit.DoubleApplied:N0} | {audit.Note} |");
        BenchContext.Log($"  {m.OpsPerSecond:N0} ops/s, p50 {m.P50Ms:0.00} ms, p99 {m.P99Ms:0.00} ms, {m.AllocatedPerOperation / 1024.0:N1} KB/op, {m.CpuMicrosecondsPerOperation:N0} µs CPU/op, succeeded {m.Succeeded:N0}, refused {m.Refused:N0}, errors {m.Errors} {m.FirstError}; {audit}");
        if (audit.LostCredits != 0 || audit.Overdrawn != 0 || audit.DoubleApplied != 0 || m.Errors != 0)
        {
            Target($"{store}, {flow}, {approach}: 0 lost, 0 overdrawn, 0 double-applied, 0 errors", $"{audit}; errors {m.Errors} {m.FirstError}", false);
        }
    }

    public async Task WriteAsync()
    {
        var inv = CultureInfo.InvariantCulture;
        var report = new StringBuilder();
        void Table(string heading, string? text, string header, string separator, List<string> rows)
        {
            report.AppendLine(heading).AppendLine();
            if (text is not null)
            {
                report.AppendLine(text).AppendLine();
            }

            report.AppendLine(header).AppendLine(separator);
            rows.ForEach(r => report.AppendLine(r));
            report.AppendLine();
        }

        report.AppendLine(inv, $"Workers: {settings.Workers}; each deduction cell: {settings.Warmup.TotalSeconds:0} s warm-up, then {settings.Duration.TotalSeconds:0} s measured; each new-flow cell {settings.Warmup.TotalSeconds:0} s warm-up, then {settings.FlowDuration.TotalSeconds:0} s (gift redemptions: a fixed count). Price of one deduction: {BenchContext.Cost} credits.");
        report.AppendLine();
        Table("### Deductions (1 worker and 16 concurrent workers)",
            "PostgreSQL is the plain connection string (no `Max Auto Prepare`); \"PostgreSQL, Max Auto Prepare=32\" the same cells with Npgsql's automatic preparation; MariaDB the plain connection string of the README's Databases section. KB/op: bytes allocated by the whole process (`GC.GetTotalAllocatedBytes(true)` over the cell, warm-up included) per deduction (the log also gives this process's CPU time per deduction, thread-pool spinning included).",
            "| store | workers | shape | approach | ops/s | p50 ms | p99 ms | × raw | KB/op | errors | users with balance ≠ Σ ledger | lost credits (balance − Σ ledger) | overdrawn users |",
            "|---|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
            Deductions);
        Table(string.Create(inv, $"### Overdraft probe (one user with credits for exactly {settings.ScarceUses:N0} deductions, {settings.ScarceUses * 2:N0} attempts from {settings.Workers} workers)"), null,
            "| store | approach | allowed | attempts | succeeded | ledger charges | balance − Σ ledger | overdrawn | errors |",
            "|---|---|---:|---:|---:|---:|---:|---|---:|", Probes);
        Table(string.Create(inv, $"### New flows ({settings.Workers} workers)"),
            "× baseline: ops/s over the baseline row above it (the raw baseline of the same flow; for top-ups and the outbox, the library's plain deduction of the same shape). Lost: Σ (balance − Σ ledger) over the cell's users, plus credits created or destroyed (Σ balances against what was seeded and paid in). Overdrawn: users with a negative balance or available balance. Double-applied: operations applied more than once (ledger rows, gifts, top-ups or events against the calls that succeeded).",
            "| store | flow | approach | ops/s | p50 ms | p99 ms | × baseline | KB/op | succeeded | refused | errors | lost | overdrawn | double-applied | checks |",
            "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
            Flows);
        report.AppendLine("### Data set for reads and analytics").AppendLine();
        report.AppendLine(inv, $"Bulk-loaded with raw SQL (prepared inserts on SQLite, binary COPY on PostgreSQL) after the deduction cells, then `ANALYZE`. Per user {RowsPerUser} ledger rows over {HistoryDays} days: the 50-credit starter bonus and its free claim, a Pro purchase (200 credits, a completed purchase row) every 33 rows, usage charges of 3, 5 or 8 credits each with its usage log, and one abandoned checkout (pending, failed or expired).");
        report.AppendLine();
        History.ForEach(h => report.AppendLine(h));
        report.AppendLine();
        Table(string.Create(inv, $"### Balance reads (one caller, {settings.Reads:N0} calls after {settings.ReadWarmup:N0} warm-up calls, random users of the data set)"), null,
            "| store | ledger rows | call | calls/s | p50 ms | p99 ms | errors |", "|---|---:|---|---:|---:|---:|---:|", Reads);
        Table("### Analytics queries (one caller, one scope per call; runs after 2 warm-up runs, as many as fit in the time budget, at least 5)", null,
            "| store | query | range | result (uses, users, credits, checkouts or rows) | runs | p50 ms | p99 ms | p99 < 200 ms |",
            "|---|---|---|---:|---:|---:|---:|---|", Analytics);
        Table(string.Create(inv, $"### HTTP ({settings.Workers} concurrent HttpClient workers, Kestrel on 127.0.0.1, {settings.Warmup.TotalSeconds:0} s warm-up, then {settings.HttpDuration.TotalSeconds:0} s measured)"),
            "`GET /api/credits/balance` against a bare minimal-API endpoint reading the balance row; a `.RequireCredits(...)` endpoint (reserve, a handler that does nothing, capture) against a bare endpoint doing one raw deduction (the three writes).",
            "| store | endpoint | requests/s | p50 ms | p99 ms | × bare | KB/request | errors |", "|---|---|---:|---:|---:|---:|---:|---:|", Http);
        Table("### Targets (issues 6 and 20), from the figures above", null, "| target | measured | |", "|---|---|---|", Targets);
        report.AppendLine("### Databases").AppendLine();
        Stores.ForEach(s => report.AppendLine(s));
        report.AppendLine(inv, $"- Harness run time: {clock.Elapsed.TotalMinutes:0.0} min");
        if (settings.Output is { } output)
        {
            await File.WriteAllTextAsync(output, report.ToString());
        }

        Console.WriteLine(report);
    }
}

/// <param name="LostCredits">Σ (balance − Σ ledger) plus credits created or destroyed by the cell.</param>
/// <param name="Overdrawn">Users with a negative balance or available balance.</param>
/// <param name="DoubleApplied">Operations applied more than once.</param>
/// <param name="Note">What else was checked, in words.</param>
internal sealed record FlowAudit(long LostCredits, long Overdrawn, long DoubleApplied, string Note);
