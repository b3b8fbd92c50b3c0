using Microsoft.Extensions.DependencyInjection;

namespace MediaForge.Credits.Benchmarks;

/// <summary>
/// Transfers between random pairs of <c>--users</c> users, 16 workers: <c>TransferCreditsAsync</c> against the raw
/// transfer (<see cref="RawFlows.TransferAsync"/>). Checks: balance = Σ ledger per user, no credits created or destroyed
/// (Σ balances as seeded), none overdrawn, and exactly one out row and one in row per transfer that succeeded.
/// </summary>
internal static class TransferCells
{
    private const long Amount = 5;
    private const long Seeded = 1_000_000;

    public static async Task RunAsync(BenchContext cx)
    {
        var (settings, store) = (cx.Settings, cx.Store);
        var users = settings.Users;
        var approaches = new (string Name, string Prefix, Func<string, string, Task<bool>> Transfer)[]
        {
            ("raw ADO.NET", "trr", (from, to) => RawFlows.TransferAsync(store, from, to, Amount)),
            ("library (TransferCreditsAsync)", "trl", (from, to) => BenchContext.InScopeAsync<ICreditService, bool>(cx.Provider, async credits =>
            {
                var result = await credits.TransferCreditsAsync(from, to, Amount, "benchmark transfer");
                return result.Error switch
                {
                    CreditTransferError.None => true,
                    CreditTransferError.InsufficientCredits => false,
                    _ => throw new InvalidOperationException($"Unexpected transfer error {result.Error}"),
                };
            })),
        };
        foreach (var approach in approaches)
        {
            await cx.SeedUsersAsync(approach.Prefix, users, Seeded);
        }

        await store.SettleAsync();
        double? baseline = null;
        foreach (var approach in approaches)
        {
            BenchContext.Log($"{store.Name} / transfers between random pairs of {users:N0} users / {settings.Workers} workers / {approach.Name}");
            long succeeded = 0;
            var m = await LoadRunner.ForDurationAsync(settings.Workers, settings.Warmup, settings.FlowDuration, async random =>
            {
                var from = random.Next(users);
                var to = (from + 1 + random.Next(users - 1)) % users;
                var moved = await approach.Transfer($"{approach.Prefix}.u.{from:D5}", $"{approach.Prefix}.u.{to:D5}");
                if (moved)
                {
                    Interlocked.Increment(ref succeeded);
                }

                return moved;
            });
            var prefix = approach.Prefix + ".u.";
            var audit = await store.AuditAsync(prefix);
            var created = await RawFlows.BalancesAsync(store, prefix) - Seeded * users;
            var outRows = await RawFlows.LedgerRowsAsync(store, prefix, "TransferOut");
            var inRows = await RawFlows.LedgerRowsAsync(store, prefix, "TransferIn");
            baseline ??= m.OpsPerSecond;
            cx.Report.Flow(store.Name, $"transfer, {users:N0} users, random pairs", approach.Name, m, baseline.Value,
                new FlowAudit(audit.LostCredits + Math.Abs(created), await RawFlows.OverdrawnAsync(store, prefix), Math.Abs(outRows - succeeded) + Math.Abs(inRows - succeeded),
                    $"{succeeded:N0} transfers (warm-up included): {outRows:N0} out rows, {inRows:N0} in rows; users with balance ≠ Σ ledger {audit.Mismatched}; Σ balances − seeded {created}"));
        }
    }
}
