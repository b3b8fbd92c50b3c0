using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace MediaForge.Credits.Benchmarks;

/// <summary><c>--profile</c>: EF events per call of each library operation, one caller, after a warm-up.</summary>
internal static class ProfileCells
{
    public static async Task RunAsync(BenchContext cx)
    {
        var (store, provider) = (cx.Store, cx.Provider);
        const long Cost = BenchContext.Cost;
        await store.SeedAccountsAsync(["profile.user"], 1_000_000_000);
        // A user the events-on services keep crossing their low-balance threshold: each call grants 3 (back to the
        // threshold, which arms the alert again) and deducts 3 (below it: the alert state and a LowBalance outbox row).
        const long Threshold = 1_000_000;
        await using var alerting = cx.Services(o => o.Events.LowBalanceThreshold = Threshold);
        await alerting.InitializeCreditsAsync(); // as the baseline's services were (see OutboxCells)
        await store.SeedAccountsAsync(["profile.alerted"], Threshold - Cost);
        using var counter = new EfEventCounter();
        foreach (var (name, call) in new (string, Func<Task>)[]
                 {
                     ("raw deduction", () => store.RawDeductAsync("profile.user", Cost)),
                     ("a DI scope with ICreditService and its context resolved, no call (what every library call starts with)", () => ScopeOnlyAsync(provider)),
                     ("raw deduction, the library's writes", () => store.RawDeductLikeLibraryAsync("profile.user", Cost)),
                     ("DeductCreditsAsync", () => BenchContext.DeductAsync(provider, "profile.user")),
                     ("DeductCreditsAsync + key", () => BenchContext.DeductAsync(provider, "profile.user", Guid.NewGuid().ToString("N"))),
                     ("raw SELECT of the balance row", () => store.RawBalanceAsync("profile.user")),
                     ("GetBalanceAsync", () => BenchContext.InScopeAsync<ICreditService, CreditBalance>(provider, c => c.GetBalanceAsync("profile.user"))),
                     ("CheckCreditsAsync", () => BenchContext.InScopeAsync<ICreditService, CreditCheckResult>(provider, c => c.CheckCreditsAsync("profile.user", "image-generation", "default"))),
                     ("ReserveCreditsAsync + CaptureReservationAsync (what .RequireCredits runs)", () => ReserveAndCaptureAsync(provider)),
                     ("AddCreditsAsync + DeductCreditsAsync, host events off", () => GrantAndDeductAsync(provider, "profile.user")),
                     ("AddCreditsAsync + DeductCreditsAsync, host events on, each pair crossing the low-balance threshold", () => GrantAndDeductAsync(alerting, "profile.alerted")),
                 }.Where(cell => store.HasLibraryWritesBaseline || !cell.Item1.Contains("library's writes", StringComparison.Ordinal)))
        {
            for (var i = 0; i < 200; i++)
            {
                await call();
            }

            counter.TakeCounts();
            const int Calls = 500;
            var allocated = GC.GetTotalAllocatedBytes(precise: true);
            var start = Stopwatch.GetTimestamp();
            for (var i = 0; i < Calls; i++)
            {
                await call();
            }

            var perCall = Stopwatch.GetElapsedTime(start).TotalMilliseconds / Calls;
            var kilobytes = (GC.GetTotalAllocatedBytes(precise: true) - allocated) / 1024.0 / Calls;
            var events = string.Join(", ", counter.TakeCounts().OrderBy(p => p.Key).Select(p => $"{p.Key} {p.Value / (double)Calls:0.##}"));
            Console.WriteLine($"{store.Name} {name}: {perCall:0.000} ms/call, {kilobytes:0.0} KB/call; per call: {events}");
        }
    }

    private static async Task ScopeOnlyAsync(IServiceProvider provider)
    {
        await using var scope = provider.CreateAsyncScope();
        _ = scope.ServiceProvider.GetRequiredService<ICreditService>();
        _ = scope.ServiceProvider.GetRequiredService<Storage.CreditsDbContext>();
    }

    private static async Task GrantAndDeductAsync(IServiceProvider provider, string user)
    {
        await InScopeGrantAsync(provider, user);
        if (!await BenchContext.DeductAsync(provider, user))
        {
            throw new InvalidOperationException($"profile: {user} was refused.");
        }
    }

    private static Task<CreditTransactionResult> InScopeGrantAsync(IServiceProvider provider, string user) =>
        BenchContext.InScopeAsync<ICreditService, CreditTransactionResult>(provider, c => c.AddCreditsAsync(user, BenchContext.Cost, CreditTransactionType.Bonus, "profile"));

    private static async Task ReserveAndCaptureAsync(IServiceProvider provider)
    {
        await using var scope = provider.CreateAsyncScope();
        var holds = scope.ServiceProvider.GetRequiredService<ICreditReservationService>();
        var hold = await holds.ReserveCreditsAsync("profile.user", "image-generation", "default");
        if (hold.ReservationId is not { } id || !(await holds.CaptureReservationAsync(id)).Success)
        {
            throw new InvalidOperationException($"profile: the hold was not placed and captured ({hold.Error}).");
        }
    }
}
