using MediaForge.Credits.Entities;
using MediaForge.Credits.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MediaForge.Credits.Benchmarks;

/// <summary>
/// The deduction cells: for each shape (1 worker over many users, 16 workers on one hot user, 16 workers over many
/// users) the raw ADO.NET baselines, the library (with and without an idempotency key) and the naive EF
/// read-modify-write side by side, each audited; then the overdraft probe of each approach.
/// </summary>
internal static class DeductionCells
{
    private const long Cost = BenchContext.Cost;

    public sealed record Approach(string Name, string Prefix, Func<string, Task<bool>> Deduct);

    public static async Task RunAsync(BenchContext cx)
    {
        var (settings, store, provider, report) = (cx.Settings, cx.Store, cx.Provider, cx.Report);
        var approaches = new Approach[]
        {
            new("raw ADO.NET", "raw", user => store.RawDeductAsync(user, Cost)),
            new("raw ADO.NET, the library's writes", "rawfull", user => store.RawDeductLikeLibraryAsync(user, Cost)),
            new("library", "lib", user => BenchContext.DeductAsync(provider, user)),
            new("library + idempotency key", "key", user => BenchContext.DeductAsync(provider, user, Guid.NewGuid().ToString("N"))),
            new("naive EF", "naive", user => NaiveDeductAsync(provider, user)),
        };
        approaches = [.. approaches.Where(a => (a.Prefix != "rawfull" || store.HasLibraryWritesBaseline)
            && (settings.Approaches is not { } only || only.Contains(a.Prefix)))];

        BenchContext.Log($"{store.Name}: seeding {approaches.Length} x {settings.Users:N0} users");
        foreach (var approach in approaches)
        {
            var users = Enumerable.Range(0, settings.Users).Select(i => $"{approach.Prefix}.u.{i:D5}").Append($"{approach.Prefix}.hot").ToList();
            await store.SeedAccountsAsync(users, 1_000_000_000);
            await store.SeedAccountsAsync([$"{approach.Prefix}.scarce"], settings.ScarceUses * Cost);
        }

        // Statistics, as a live database has them (autovacuum would gather them at some point of the run, and a plan can
        // change then), and the seeding written out: every cell runs on the same footing.
        await store.SettleAsync();

        // One caller (the latency every host pays on every call; group commit has nothing to share) and many callers.
        foreach (var (shape, workers, pick) in new (string, int, Func<string, Random, string>)[]
                 {
                     ($"{settings.Users:N0} users uniformly", 1, (prefix, random) => $"{prefix}.u.{random.Next(settings.Users):D5}"),
                     ("one hot user", settings.Workers, (prefix, _) => $"{prefix}.hot"),
                     ($"{settings.Users:N0} users uniformly", settings.Workers, (prefix, random) => $"{prefix}.u.{random.Next(settings.Users):D5}"),
                 })
        {
            double? rawRate = null, libraryRate = null;
            foreach (var approach in approaches)
            {
                if ((workers == 1 && approach.Prefix is "rawfull" or "naive") || (settings.OneWorkerOnly && workers != 1))
                {
                    continue;
                }

                BenchContext.Log($"{store.Name} / {shape} / {workers} workers / {approach.Name}");
                var m = await LoadRunner.ForDurationAsync(workers, settings.Warmup, settings.Duration, random => approach.Deduct(pick(approach.Prefix, random)));
                var audit = await store.AuditAsync(shape == "one hot user" ? $"{approach.Prefix}.hot" : $"{approach.Prefix}.u.");
                rawRate ??= m.OpsPerSecond;
                if (approach.Prefix == "lib")
                {
                    libraryRate = m.OpsPerSecond;
                    var (goal, ratio) = (workers == 1 ? 0.8 : shape == "one hot user" ? 3.0 : 1.0, m.OpsPerSecond / rawRate.Value);
                    report.Target($"{store.Name}, {workers} worker{(workers == 1 ? "" : "s")}, {shape}: library ≥ {goal:0.0}× raw ADO.NET", $"{ratio:0.00}×", ratio >= goal);
                }
                else if (approach.Prefix == "naive" && libraryRate is { } libRate)
                {
                    report.Target($"{store.Name}, {shape}: library ≥ 2× naive EF", $"{libRate / m.OpsPerSecond:0.00}×", libRate / m.OpsPerSecond >= 2);
                }

                if (approach.Prefix is "lib" or "key" or "raw" && (audit.Mismatched > 0 || audit.Negative > 0 || m.Errors > 0))
                {
                    report.Target($"{store.Name}, {shape}, {approach.Name}: zero overdrafts, lost updates and errors", $"{audit}; errors {m.Errors} {m.FirstError}", false);
                }

                var versusNaive = approach.Prefix == "naive" && libraryRate is { } lib ? $" (library = {lib / m.OpsPerSecond:0.00}× naive)" : "";
                report.Deductions.Add($"| {store.Name} | {workers} | {shape} | {approach.Name} | {m.OpsPerSecond:N0} | {m.P50Ms:0.00} | {m.P99Ms:0.00} | {m.OpsPerSecond / rawRate.Value:0.00}×{versusNaive} | {m.AllocatedPerOperation / 1024.0:N1} | {m.Errors:N0} | {audit.Mismatched:N0} | {audit.LostCredits:N0} | {audit.Negative:N0} |");
                BenchContext.Log($"  {m.OpsPerSecond:N0} ops/s, p50 {m.P50Ms:0.00} ms, p99 {m.P99Ms:0.00} ms, {m.AllocatedPerOperation / 1024.0:N1} KB allocated/op, {m.CpuMicrosecondsPerOperation:N0} µs CPU/op, errors {m.Errors} {m.FirstError}; audit {audit}");
            }
        }

        await RunProbeAsync(cx, approaches);
    }

    /// <summary>One user with credits for exactly <c>--scarce-uses</c> deductions, twice as many attempts from all workers.</summary>
    private static async Task RunProbeAsync(BenchContext cx, Approach[] approaches)
    {
        var (settings, store) = (cx.Settings, cx.Store);
        foreach (var approach in approaches)
        {
            BenchContext.Log($"{store.Name} / overdraft probe / {approach.Name}");
            var user = $"{approach.Prefix}.scarce";
            var m = await LoadRunner.ForCountAsync(settings.Workers, 0, settings.ScarceUses * 2, _ => approach.Deduct(user));
            var audit = await store.AuditAsync(user);
            if (approach.Prefix is "lib" or "key")
            {
                cx.Report.Target($"{store.Name}, overdraft probe, {approach.Name}: exactly {settings.ScarceUses:N0} succeed, none overdrawn",
                    $"{m.Succeeded:N0} succeeded, {audit.Charges:N0} charges, balance − Σ ledger {audit.LostCredits:N0}",
                    m.Succeeded == settings.ScarceUses && audit.Charges == settings.ScarceUses && audit.LostCredits == 0 && audit.Negative == 0);
            }

            cx.Report.Probes.Add($"| {store.Name} | {approach.Name} | {settings.ScarceUses:N0} | {settings.ScarceUses * 2:N0} | {m.Succeeded:N0} | {audit.Charges:N0} | {audit.LostCredits:N0} | {(audit.Negative > 0 ? "**yes**" : "no")} | {m.Errors:N0} |");
            BenchContext.Log($"  succeeded {m.Succeeded}, errors {m.Errors} {m.FirstError}; audit {audit}");
        }
    }

    // What many applications write: read the balance entity, check, subtract, save. No concurrency token, no
    // conditional update: concurrent callers read the same balance and overwrite each other's subtraction.
    private static async Task<bool> NaiveDeductAsync(IServiceProvider provider, string user)
    {
        await using var scope = provider.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CreditsDbContext>();
        var account = await db.Accounts.FirstAsync(a => a.UserId == user);
        if (account.Balance < Cost)
        {
            return false;
        }

        var now = DateTime.UtcNow;
        account.Balance -= Cost;
        account.TotalConsumed += Cost;
        account.UpdatedAt = now;
        db.Transactions.Add(new CreditTransaction
        {
            Id = Guid.CreateVersion7(),
            UserId = user,
            Amount = -Cost,
            BalanceAfter = account.Balance,
            Type = CreditTransactionType.Usage,
            Description = BenchStore.UsageDescription,
            CreatedAt = now,
        });
        await db.SaveChangesAsync();
        return true;
    }
}
