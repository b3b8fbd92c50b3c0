using System.Globalization;

namespace MediaForge.Credits.Benchmarks;

/// <summary>The harness's command line (every option has a default; benchmarks/run.sh passes its extra arguments on).</summary>
internal sealed record Settings(string[] Stores, string? Postgres, string? MariaDb, int Workers, TimeSpan Warmup, TimeSpan Duration, TimeSpan FlowDuration,
    int Users, int ScarceUses, int Gifts, int LedgerRows, int Reads, int ReadWarmup, string? Output, bool Profile, TimeSpan HttpDuration,
    TimeSpan AnalyticsBudget, bool DeductionsOnly, string[]? Approaches, string[]? Cells, bool HttpOnly, int HttpRounds, bool ReadsOnly,
    bool OneWorkerOnly, bool AnalyticsOnly)
{
    /// <summary>
    /// The groups of cells, for <c>--cells</c> (a comma-separated subset; all when absent): deductions (with the
    /// overdraft probe), transfers, gifts, top-ups, outbox, team-wallet, history (reads and analytics), http.
    /// </summary>
    public static readonly string[] CellGroups = ["deductions", "transfers", "gifts", "top-ups", "outbox", "team-wallet", "history", "http"];

    /// <summary>Whether the group of cells named <paramref name="group"/> (one of <see cref="CellGroups"/>) runs.</summary>
    public bool Runs(string group) => Cells is null || Cells.Contains(group, StringComparer.OrdinalIgnoreCase);

    /// <summary>The options that take a value, and the switches: anything else on the command line is refused.</summary>
    private static readonly string[] ValueOptions =
    [
        "--stores", "--postgres", "--mariadb", "--workers", "--warmup", "--duration", "--flow-duration", "--users", "--scarce-uses", "--gifts",
        "--ledger-rows", "--reads", "--read-warmup", "--out", "--http-duration", "--analytics-budget", "--approaches", "--cells", "--http-rounds",
    ];

    private static readonly string[] Switches = ["--profile", "--deductions-only", "--http-only", "--reads-only", "--one-worker-only", "--analytics-only"];

    public static Settings Parse(string[] args)
    {
        for (var i = 0; i < args.Length; i++)
        {
            if (ValueOptions.Contains(args[i], StringComparer.Ordinal) && i + 1 < args.Length)
            {
                i++;
            }
            else if (!Switches.Contains(args[i], StringComparer.Ordinal))
            {
                throw new ArgumentException($"Unknown benchmark option '{args[i]}' (or an option without its value); benchmarks/run.sh --help lists them.");
            }
        }

        string? Get(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        int Int(string name, int fallback) => Get(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
        string[]? List(string name) => Get(name)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var duration = Int("--duration", 10);
        var cells = List("--cells");
        if (cells?.FirstOrDefault(c => !CellGroups.Contains(c, StringComparer.OrdinalIgnoreCase)) is { } unknown)
        {
            throw new ArgumentException($"Unknown cell group '{unknown}' in --cells; known: {string.Join(", ", CellGroups)}.");
        }

        return new Settings(
            List("--stores") ?? ["sqlite", "postgres", "postgres-prepared", "mariadb"],
            Get("--postgres") ?? Environment.GetEnvironmentVariable("MEDIAFORGE_BENCH_POSTGRES"),
            Get("--mariadb") ?? Environment.GetEnvironmentVariable("MEDIAFORGE_BENCH_MARIADB"),
            Int("--workers", 16),
            TimeSpan.FromSeconds(Int("--warmup", 3)),
            TimeSpan.FromSeconds(duration),
            TimeSpan.FromSeconds(Int("--flow-duration", Math.Min(duration, 5))),
            Int("--users", 10_000),
            Int("--scarce-uses", 1_000),
            Int("--gifts", 2_000),
            Int("--ledger-rows", 1_000_000),
            Int("--reads", 20_000),
            Int("--read-warmup", 2_000),
            Get("--out"),
            args.Contains("--profile"),
            TimeSpan.FromSeconds(Int("--http-duration", duration)),
            TimeSpan.FromSeconds(Int("--analytics-budget", 3)),
            args.Contains("--deductions-only"),
            List("--approaches"),
            cells,
            args.Contains("--http-only"),
            Math.Max(1, Int("--http-rounds", 1)),
            args.Contains("--reads-only"),
            args.Contains("--one-worker-only"),
            args.Contains("--analytics-only"));
    }
}
