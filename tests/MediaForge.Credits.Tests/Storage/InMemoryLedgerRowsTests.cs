using MediaForge.Credits.Entities;
using MediaForge.Credits.Storage;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MediaForge.Credits.Tests.Analytics;

namespace MediaForge.Credits.Tests.Storage;

/// <summary>
/// The rows the EF InMemory provider's ledger writes: the account's totals and usage counters and the usage logs'
/// running totals as the relational ledger writes them (analytics read them), services that stay in use across other
/// scopes' writes, and the maximum balance.
/// </summary>
public sealed class InMemoryLedgerRowsTests(SqliteCreditsDatabase sqlite) : IClassFixture<SqliteCreditsDatabase>
{
    private static readonly DateTimeOffset Start = new(2030, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static ServiceProvider InMemoryServices(TimeProvider? time = null) => InMemoryCredits.Services(o => o.AdminUserIds.Add("boss"), time);

    private static async Task<T> CreditsAsync<T>(IServiceProvider services, Func<ICreditService, Task<T>> action)
    {
        await using var scope = services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<ICreditService>());
    }

    /// <summary>Writes rows straight to the in-memory store, as a host's seed data would be.</summary>
    private static async Task SeedAsync(IServiceProvider services, params object[] rows)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CreditsDbContext>();
        db.AddRange(rows);
        await db.SaveChangesAsync();
    }

    /// <summary>Grants, charged uses (one logged at an earlier time than the last), an admin's use and a refusal; then the rows.</summary>
    private static async Task<List<string>> RunAsync(IServiceProvider services, SettableClock time)
    {
        await CreditsAsync(services, c => c.AddCreditsAsync("u1", 100, CreditTransactionType.Purchase, "pack"));
        await CreditsAsync(services, c => c.AddCreditsAsync("u1", 50, CreditTransactionType.Bonus, "welcome"));
        time.SetUtcNow(Start.AddHours(1));
        await CreditsAsync(services, c => c.DeductCreditsAsync("u1", "video-generation", "veo2"));
        time.SetUtcNow(Start.AddHours(2));
        await CreditsAsync(services, c => c.DeductCreditsAsync("u1", "image-generation", "default"));
        await CreditsAsync(services, c => c.DeductCreditsAsync("boss", "image-generation", "default"));
        time.SetUtcNow(Start.AddMinutes(90));
        await CreditsAsync(services, c => c.DeductCreditsAsync("u1", "map-animation", "hailuo"));
        await CreditsAsync(services, c => c.DeductCreditsAsync("u2", "image-generation", "default"));

        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CreditsDbContext>();
        var accounts = await db.Set<CreditAccount>().AsNoTracking().OrderBy(a => a.UserId).ToListAsync();
        var logs = await db.Set<UsageLog>().AsNoTracking().ToListAsync();
        return
        [
            .. accounts.Select(a => $"{a.UserId}: {a.Balance} granted {a.TotalGranted} consumed {a.TotalConsumed} uses {a.UsageCount}/{a.UsageCredits} "
                + $"first {a.FirstUsageAt:HH:mm} last {a.LastUsageAt:HH:mm}"),
            .. logs.OrderBy(l => l.UserId).ThenBy(l => l.CreatedAt)
                .Select(l => $"{l.UserId} {l.CreatedAt:HH:mm}: {l.CreditsUsed} unlimited {l.IsUnlimited} running {l.CumulativeUses}/{l.CumulativeCredits}"),
        ];
    }

    [Fact]
    public async Task InMemoryProvider_TotalsCountersAndRunningTotals_AreTheRelationalLedgers()
    {
        var relationalTime = new SettableClock(Start);
        await using var relational = sqlite.BuildServices(await sqlite.CreateDatabaseAsync(), o => o.AdminUserIds.Add("boss"), relationalTime);
        await relational.InitializeCreditsAsync(createSchema: true);
        var inMemoryTime = new SettableClock(Start);
        await using var inMemory = InMemoryServices(inMemoryTime);
        await inMemory.InitializeCreditsAsync(createSchema: true);

        var expected = await RunAsync(relational, relationalTime);
        var actual = await RunAsync(inMemory, inMemoryTime);

        Assert.Equal(expected, actual);
        Assert.Equal(
        [
            "boss: 0 granted 0 consumed 0 uses 0/0 first  last ",
            "u1: 127 granted 150 consumed 23 uses 3/23 first 13:00 last 14:00",
            "boss 14:00: 0 unlimited True running /",
            "u1 13:00: 15 unlimited False running 1/15",
            "u1 13:30: 5 unlimited False running 2/20",
            "u1 14:00: 3 unlimited False running 3/23",
        ], expected);
    }

    [Fact]
    public async Task InMemoryProvider_ServiceInUse_SeesCreditsAnotherScopeGrantedAfterItsRefusalAndItsCharge()
    {
        await using var services = InMemoryServices();
        await services.InitializeCreditsAsync(createSchema: true);
        await using var scope = services.CreateAsyncScope();
        var credits = scope.ServiceProvider.GetRequiredService<ICreditService>();
        await credits.AddCreditsAsync("u1", 2, CreditTransactionType.Purchase, "pack");

        var refused = await credits.DeductCreditsAsync("u1", "image-generation", "default");
        await CreditsAsync(services, c => c.AddCreditsAsync("u1", 10, CreditTransactionType.Purchase, "pack"));
        var charged = await credits.DeductCreditsAsync("u1", "image-generation", "default");
        await CreditsAsync(services, c => c.AddCreditsAsync("u1", 10, CreditTransactionType.Purchase, "pack"));
        var again = await credits.DeductCreditsAsync("u1", "image-generation", "default");

        Assert.Equal((false, true, 9L, true, 16L), (refused.Success, charged.Success, charged.RemainingBalance, again.Success, again.RemainingBalance));
    }

    [Fact]
    public async Task InMemoryProvider_GrantReachingTheMaximumBalance_IsAccepted_OneCreditMoreIsRefused()
    {
        await using var services = InMemoryServices();
        await services.InitializeCreditsAsync(createSchema: true);
        await SeedAsync(services, new CreditUser { Id = "rich" }, new CreditAccount { UserId = "rich", Balance = CreditLimits.MaxBalance - 5 });

        var reached = await CreditsAsync(services, c => c.AddCreditsAsync("rich", 5, CreditTransactionType.Bonus, "top"));
        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => CreditsAsync(services, c => c.AddCreditsAsync("rich", 1, CreditTransactionType.Bonus, "over")));

        Assert.Equal(CreditLimits.MaxBalance, reached.Balance);
        Assert.Contains($"over {CreditLimits.MaxBalance}", error.Message, StringComparison.Ordinal);
    }
    [Fact]
    public async Task InMemoryProvider_DeductionOfTheWholeBalance_IsCharged()
    {
        await using var services = InMemoryServices();
        await services.InitializeCreditsAsync(createSchema: true);
        await CreditsAsync(services, c => c.AddCreditsAsync("u1", 15, CreditTransactionType.Purchase, "pack"));

        var charged = await CreditsAsync(services, c => c.DeductCreditsAsync("u1", "video-generation", "veo2"));

        Assert.Equal((true, 0L), (charged.Success, charged.RemainingBalance));
    }

    [Fact]
    public async Task InMemoryProvider_ServiceInUse_KeepsTheRunningTotalsOfLaterUsesRight_AfterAnotherScopeLoggedAnEarlierUse()
    {
        var clock = new SettableClock(Start.AddHours(2));
        await using var services = InMemoryServices(clock);
        await services.InitializeCreditsAsync(createSchema: true);
        await CreditsAsync(services, c => c.AddCreditsAsync("u1", 100, CreditTransactionType.Purchase, "pack"));
        await using var scope = services.CreateAsyncScope();
        var credits = scope.ServiceProvider.GetRequiredService<ICreditService>();

        await credits.DeductCreditsAsync("u1", "image-generation", "default");
        clock.SetUtcNow(Start.AddHours(1));
        await credits.DeductCreditsAsync("u1", "image-generation", "default");
        // Earlier than both of this scope's uses: it raises their running totals, which this scope must not overwrite.
        clock.SetUtcNow(Start.AddMinutes(50));
        await CreditsAsync(services, c => c.DeductCreditsAsync("u1", "image-generation", "default"));
        clock.SetUtcNow(Start.AddMinutes(30));
        await credits.DeductCreditsAsync("u1", "image-generation", "default");

        var db = scope.ServiceProvider.GetRequiredService<CreditsDbContext>();
        var running = await db.Set<UsageLog>().AsNoTracking().Where(l => l.UserId == "u1").OrderBy(l => l.CreatedAt).Select(l => l.CumulativeUses).ToListAsync();
        Assert.Equal([1L, 2L, 3L, 4L], running.Select(r => r!.Value));
    }

    [Fact]
    public async Task InMemoryProvider_AnotherUsersAdminFlag_LeavesAUserCharged()
    {
        await using var services = InMemoryServices();
        await services.InitializeCreditsAsync(createSchema: true);
        await SeedAsync(services, new CreditUser { Id = "flagged", IsAdmin = true });

        await CreditsAsync(services, c => c.AddCreditsAsync("u1", 10, CreditTransactionType.Purchase, "pack"));
        var charged = await CreditsAsync(services, c => c.DeductCreditsAsync("u1", "image-generation", "default"));

        Assert.Equal((true, 3, 7L), (charged.Success, charged.CreditsDeducted, charged.RemainingBalance));
    }

    [Fact]
    public async Task InMemoryProvider_UsesAtOneInstant_RunningTotalsFollowTheirOrder()
    {
        await using var services = InMemoryServices(new SettableClock(Start));
        await services.InitializeCreditsAsync(createSchema: true);
        await CreditsAsync(services, c => c.AddCreditsAsync("u1", 100, CreditTransactionType.Purchase, "pack"));

        await CreditsAsync(services, c => c.DeductCreditsAsync("u1", "image-generation", "default"));
        await CreditsAsync(services, c => c.DeductCreditsAsync("u1", "video-generation", "hailuo"));

        await using var scope = services.CreateAsyncScope();
        var running = await scope.ServiceProvider.GetRequiredService<CreditsDbContext>().Set<UsageLog>().AsNoTracking()
            .Where(l => l.UserId == "u1").OrderBy(l => l.CreditsUsed).Select(l => new { l.CumulativeUses, l.CumulativeCredits }).ToListAsync();
        Assert.Equal([(1L, 3L), (2L, 11L)], running.Select(r => (r.CumulativeUses!.Value, r.CumulativeCredits!.Value)));
    }

    [Fact]
    public async Task ReserveCredits_OnAProviderWithoutSql_IsNotSupported()
    {
        await using var services = InMemoryServices();
        await services.InitializeCreditsAsync(createSchema: true);
        await CreditsAsync(services, c => c.AddCreditsAsync("u1", 20, CreditTransactionType.Purchase, "pack"));
        await using var scope = services.CreateAsyncScope();
        var holds = scope.ServiceProvider.GetRequiredService<ICreditReservationService>();

        var error = await Assert.ThrowsAsync<NotSupportedException>(() => holds.ReserveCreditsAsync("u1", "image-generation", "default"));

        Assert.Equal("Credit holds need a relational EF Core provider.", error.Message);
    }
}
