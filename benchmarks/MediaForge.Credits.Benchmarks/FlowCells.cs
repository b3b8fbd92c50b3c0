namespace MediaForge.Credits.Benchmarks;

/// <summary>
/// The registration point of the money flows beyond a plain deduction (issue 20's new flows): each group is a file of
/// its own with a <c>RunAsync(BenchContext)</c>, added here by one line, and runs when <c>--cells</c> names it (or
/// always, without <c>--cells</c>). Each cell puts the library next to a baseline of the same shape, with its checks
/// (lost, overdrawn, double-applied), through <see cref="BenchReport.Flow"/> (the deduction table's
/// <see cref="BenchReport.Deductions"/> is open to cells of deduction shape too).
/// </summary>
internal static class FlowCells
{
    public static async Task RunAsync(BenchContext cx)
    {
        await RunAsync(cx, "transfers", TransferCells.RunAsync);
        await RunAsync(cx, "gifts", GiftCells.RunAsync);
        await RunAsync(cx, "top-ups", TopUpCells.RunAsync);
        await RunAsync(cx, "outbox", OutboxCells.RunAsync);
        await RunAsync(cx, "team-wallet", TeamWalletCells.RunAsync);
    }

    private static Task RunAsync(BenchContext cx, string group, Func<BenchContext, Task> cells) =>
        cx.Settings.Runs(group) ? cells(cx) : Task.CompletedTask;
}
