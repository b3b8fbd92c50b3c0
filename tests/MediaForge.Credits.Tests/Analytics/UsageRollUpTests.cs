using MediaForge.Credits.Entities;
using MediaForge.Credits.Storage;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MediaForge.Credits.Tests.Analytics;

/// <summary>
/// The derived usage data the reports read (the hourly roll-up, the running totals of the usage logs and the accounts'
/// usage counters) never drifts from the usage logs: each test writes usage in its own year on a fake clock, then
/// compares the reports with a recomputation from the raw rows (the reports' definitions, in memory).
/// </summary>
public abstract class UsageRollUpTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private const string Admin = "rollup-admin";

    private static readonly SemaphoreSlim Gate = new(16);

    private static readonly DateTimeOffset Future = new(2100, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly (string Feature, string Model, long Price)[] Uses =
        [("image-generation", "default", 3), ("video-generation", "hailuo", 8), ("map-animation", "hailuo", 5)];

    [Fact]
    public async Task Reports_RangesNotOnTheHour_EqualRawRecomputation()
    {
        var (services, time) = Build(2031);
        var users = new[] { "edge-a", "edge-b", "edge-c" };
        await GrantAsync(services, users, paid: 500, free: 20);
        var start = new DateTimeOffset(2031, 5, 6, 9, 0, 0, TimeSpan.Zero);
        for (var minute = 0; minute < 5 * 60; minute += 7)
        {
            time.SetUtcNow(start.AddMinutes(minute));
            await DeductAsync(services, users[minute % 3], Uses[minute % 3]);
        }

        foreach (var (from, to, bucket) in new[]
                 {
                     (start.AddMinutes(31), start.AddMinutes(4 * 60 + 12), CreditAnalyticsBucket.Hour),
                     (start.AddMinutes(31), start.AddMinutes(4 * 60 + 12), CreditAnalyticsBucket.Day),
                     (start.AddMinutes(61), start.AddMinutes(119), CreditAnalyticsBucket.Hour), // inside one hour... and a bit
                     (start.AddMinutes(70), start.AddMinutes(80), CreditAnalyticsBucket.Week),  // less than an hour
                     (start.AddHours(1), start.AddHours(3), CreditAnalyticsBucket.Hour),       // on the hour
                     // Edge hours whose part outside the range has no use (10:00-10:01, 13:56-14:00): read from the roll-up.
                     (start.AddMinutes(61), start.AddMinutes(296), CreditAnalyticsBucket.Hour),
                 })
        {
            await UsageReportChecks.AssertReportsMatchRawAsync(services, new CreditAnalyticsRange(from, to, bucket));
        }
    }

    [Fact]
    public async Task Reports_ConcurrentDeductionsOfManyUsersWithAClockOutOfOrder_EqualRawRecomputation()
    {
        var (services, time) = Build(2032);
        var users = Enumerable.Range(0, 12).Select(i => $"many-{i:D2}").ToArray();
        await GrantAsync(services, users, paid: 10_000, free: 30);
        var start = new DateTimeOffset(2032, 7, 1, 10, 0, 0, TimeSpan.Zero);
        time.SetUtcNow(start);

        // Callers race, and the clock jumps back and forth under them, so rows are written out of time order and with
        // equal timestamps: the running totals of the rows timed after each new one must move.
        await Task.WhenAll(Enumerable.Range(0, 240).Select(i => RaceAsync(async () =>
        {
            if (i % 5 == 0)
            {
                time.SetUtcNow(start.AddMinutes(((i * 37) % 300) - 60));
            }

            return await DeductAsync(services, users[i % users.Length], Uses[i % Uses.Length]);
        })));

        await UsageReportChecks.AssertRunningTotalsAsync(services, users);
        foreach (var range in new[]
                 {
                     new CreditAnalyticsRange(start.AddMinutes(-45), start.AddMinutes(200), CreditAnalyticsBucket.Hour),
                     new CreditAnalyticsRange(start.AddMinutes(13), start.AddMinutes(101), CreditAnalyticsBucket.Day),
                     new CreditAnalyticsRange(start.AddDays(-3), start.AddDays(3), CreditAnalyticsBucket.Week),
                     // Past every use in the database: the "before the end" totals come from the account counters.
                     new CreditAnalyticsRange(start.AddMinutes(7), Future, CreditAnalyticsBucket.Month),
                 })
        {
            await UsageReportChecks.AssertReportsMatchRawAsync(services, range);
        }
    }

    [Fact]
    public async Task RunningTotals_RacingDeductionsOfOneUser_StayMonotoneAndExact()
    {
        var (services, time) = Build(2033);
        const string user = "racer";
        await GrantAsync(services, [user], paid: 3 * 150, free: 0);
        var start = new DateTimeOffset(2033, 2, 2, 12, 0, 0, TimeSpan.Zero);
        time.SetUtcNow(start);

        var results = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => RaceAsync(async () =>
        {
            if (i % 7 == 0)
            {
                time.SetUtcNow(start.AddSeconds((i * 13) % 90));
            }

            return await DeductAsync(services, user, Uses[0], mustSucceed: false);
        })));

        Assert.Equal(150, results.Count(r => r));
        await UsageReportChecks.AssertRunningTotalsAsync(services, [user]);
        await UsageReportChecks.AssertReportsMatchRawAsync(services, new CreditAnalyticsRange(start.AddSeconds(20), start.AddSeconds(70), CreditAnalyticsBucket.Hour));
        await UsageReportChecks.AssertReportsMatchRawAsync(services, new CreditAnalyticsRange(start.AddSeconds(20), Future, CreditAnalyticsBucket.Month));
    }

    [Fact]
    public async Task Reports_ReservationCapturesAndUnlimitedUses_CountedLikeTheLogs()
    {
        var (services, time) = Build(2034);
        await GrantAsync(services, ["holder"], paid: 100, free: 10);
        var start = new DateTimeOffset(2034, 3, 3, 8, 20, 0, TimeSpan.Zero);
        time.SetUtcNow(start);
        await DeductAsync(services, "holder", Uses[1]);
        await DeductAsync(services, Admin, Uses[2]);
        await using (var scope = services.CreateAsyncScope())
        {
            var holds = scope.ServiceProvider.GetRequiredService<ICreditReservationService>();
            var hour = TimeSpan.FromHours(1);
            var full = await holds.ReserveCreditsAsync("holder", "video-generation", "hailuo", hour);
            var partial = await holds.ReserveCreditsAsync("holder", "map-animation", "hailuo", hour, amount: 20);
            var nothing = await holds.ReserveCreditsAsync("holder", "image-generation", "default", hour);
            var admin = await holds.ReserveCreditsAsync(Admin, "video-generation", "hailuo", hour);
            time.SetUtcNow(start.AddMinutes(50));
            Assert.True((await holds.CaptureReservationAsync(full.ReservationId!.Value)).Success);
            Assert.True((await holds.CaptureReservationAsync(partial.ReservationId!.Value, 12)).Success);
            Assert.True((await holds.CaptureReservationAsync(nothing.ReservationId!.Value, 0)).Success);
            Assert.True((await holds.CaptureReservationAsync(admin.ReservationId!.Value)).Success);
        }

        var range = new CreditAnalyticsRange(start.AddMinutes(-5), start.AddHours(2), CreditAnalyticsBucket.Hour);
        await using (var scope = services.CreateAsyncScope())
        {
            var report = await scope.ServiceProvider.GetRequiredService<ICreditAnalytics>().GetUsageAsync(range);
            // holder: 8 (deduction) + 8 + 12 + 0 (captures) in 4 uses; admin: 2 unlimited uses, worth 5 (the deduction)
            // and 0 (an unlimited hold holds nothing, and its capture logs the held amount as the price).
            Assert.Equal((4L, 28L, 1L, 2L, 5L), (report.Uses, report.CreditsConsumed, report.ActiveUsers, report.UnlimitedUses, report.UnlimitedCreditsValue));
        }

        await UsageReportChecks.AssertRunningTotalsAsync(services, ["holder"]);
        await UsageReportChecks.AssertReportsMatchRawAsync(services, range);
    }

    /// <summary>Runs racing callers, at most 16 at a time (the suite's other classes share the database server's connections).</summary>
    [Fact]
    public async Task TopUsers_LimitBelowTheUsers_KeepsTheBest_MoreUsesFirstOnEqualCredits()
    {
        var (services, time) = Build(2035);
        await GrantAsync(services, ["tie-three", "tie-eight", "tie-small"], paid: 100, free: 0);
        var day = new DateTimeOffset(2035, 3, 1, 12, 0, 0, TimeSpan.Zero);
        time.SetUtcNow(day);
        for (var i = 0; i < 3; i++)
        {
            await DeductAsync(services, "tie-three", Uses[1]); // 3 uses of 8 credits
        }

        for (var i = 0; i < 8; i++)
        {
            await DeductAsync(services, "tie-eight", Uses[0]); // 8 uses of 3 credits: as many credits, more uses
        }

        await DeductAsync(services, "tie-small", Uses[0]);

        await using var scope = services.CreateAsyncScope();
        var analytics = scope.ServiceProvider.GetRequiredService<ICreditAnalytics>();
        var range = new CreditAnalyticsRange(day.AddHours(-12), day.AddHours(12));
        Assert.Equal([("tie-eight", 8L, 24L)], (await analytics.GetTopUsersAsync(range, 1)).Select(u => (u.UserId, u.Uses, u.Credits)));
        Assert.Equal([("tie-eight", 8L, 24L), ("tie-three", 3L, 24L)], (await analytics.GetTopUsersAsync(range, 2)).Select(u => (u.UserId, u.Uses, u.Credits)));
    }

    private static async Task<bool> RaceAsync(Func<Task<bool>> call)
    {
        await Gate.WaitAsync();
        try
        {
            return await Task.Run(call);
        }
        finally
        {
            Gate.Release();
        }
    }

    private (ServiceProvider Services, SettableClock Time) Build(int year)
    {
        var time = new SettableClock(new DateTimeOffset(year, 1, 1, 0, 0, 0, TimeSpan.Zero));
        return (database.BuildServices(database.ConnectionString, o => o.AdminUserIds.Add(Admin), time), time);
    }

    private static async Task GrantAsync(IServiceProvider services, IEnumerable<string> users, long paid, long free)
    {
        await using var scope = services.CreateAsyncScope();
        var credits = scope.ServiceProvider.GetRequiredService<ICreditService>();
        foreach (var user in users)
        {
            if (free > 0)
            {
                await credits.AddCreditsAsync(user, free, CreditTransactionType.Bonus, "welcome");
            }

            await credits.AddCreditsAsync(user, paid, CreditTransactionType.Purchase, "pack");
        }
    }

    private static async Task<bool> DeductAsync(IServiceProvider services, string user, (string Feature, string Model, long Price) use, bool mustSucceed = true)
    {
        await using var scope = services.CreateAsyncScope();
        var result = await scope.ServiceProvider.GetRequiredService<ICreditService>().DeductCreditsAsync(user, use.Feature, use.Model);
        Assert.True(result.Success || !mustSucceed, $"deduction for {user}: {result.Error}");
        return result.Success;
    }
}

/// <summary>A clock the test sets to any time, also backwards (racing callers take "now" in any order in production).</summary>
public sealed class SettableClock(DateTimeOffset start) : TimeProvider
{
    private long ticks = start.UtcTicks;

    public void SetUtcNow(DateTimeOffset value) => Interlocked.Exchange(ref ticks, value.UtcTicks);

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref ticks), TimeSpan.Zero);
}

public sealed class SqliteUsageRollUpTests(SqliteCreditsDatabase database) : UsageRollUpTests<SqliteCreditsDatabase>(database);

public sealed class PostgresUsageRollUpTests(PostgresCreditsDatabase database) : UsageRollUpTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbUsageRollUpTests(MariaDbCreditsDatabase database) : UsageRollUpTests<MariaDbCreditsDatabase>(database);
