using System.Collections.Concurrent;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace MediaForge.Credits.Tests.Analytics;

/// <summary>
/// Every analytics query against the known month of <see cref="AnalyticsDataSet"/>, on each real database. The data
/// set is written once per database (the class fixture) and only read by the tests.
/// </summary>
public abstract class CreditAnalyticsTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>, IAsyncLifetime
    where TDatabase : CreditsDatabase
{
    private static readonly ConcurrentDictionary<CreditsDatabase, Lazy<Task<IServiceProvider>>> Seeded = new();
    private static readonly CreditAnalyticsRange MarchDaily = new(AnalyticsDataSet.March, AnalyticsDataSet.April);

    private IServiceProvider services = null!;

    public async Task InitializeAsync() =>
        services = await Seeded.GetOrAdd(database, db => new Lazy<Task<IServiceProvider>>(async () =>
        {
            var (provider, time) = AnalyticsDataSet.BuildServices(db, db.ConnectionString);
            await AnalyticsDataSet.SeedAsync(provider, time);
            return provider;
        })).Value;

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task<T> AnalyticsAsync<T>(Func<ICreditAnalytics, Task<T>> query)
    {
        await using var scope = services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<ICreditAnalytics>());
    }

    [Fact]
    public async Task GetUsage_March_TotalsExcludeUnlimitedAndOutOfRangeUses()
    {
        var report = await AnalyticsAsync(a => a.GetUsageAsync(MarchDaily));

        Assert.Equal((11L, 92L, 3L), (report.Uses, report.CreditsConsumed, report.ActiveUsers));
        Assert.Equal(92 / 31.0, report.CreditsPerDay, 6);
    }

    [Fact]
    public async Task GetUsage_March_UnlimitedUsesReportedApart()
    {
        var report = await AnalyticsAsync(a => a.GetUsageAsync(MarchDaily));

        Assert.Equal((2L, 30L), (report.UnlimitedUses, report.UnlimitedCreditsValue));
    }

    [Fact]
    public async Task GetUsage_March_FeaturesByCreditsDescending()
    {
        var report = await AnalyticsAsync(a => a.GetUsageAsync(MarchDaily));

        Assert.Equal(
            [
                ("video-generation", "veo2", 3L, 45L, 2L, 30L),
                ("video-generation", "hailuo", 3L, 24L, 0L, 0L),
                ("map-animation", "hailuo", 4L, 20L, 0L, 0L),
                ("image-generation", "default", 1L, 3L, 0L, 0L),
            ],
            report.Features.Select(f => (f.Feature, f.Model, f.Uses, f.Credits, f.UnlimitedUses, f.UnlimitedCreditsValue)));
    }

    [Fact]
    public async Task GetUsage_DailyBuckets_OnePointPerDayFeatureAndModel()
    {
        var report = await AnalyticsAsync(a => a.GetUsageAsync(MarchDaily));

        Assert.Equal(
            [
                ("2025-03-03", "image-generation", "default", 1L, 3L, 0L),
                ("2025-03-03", "video-generation", "hailuo", 2L, 16L, 0L),
                ("2025-03-04", "video-generation", "veo2", 0L, 0L, 2L),
                ("2025-03-05", "video-generation", "veo2", 3L, 45L, 0L),
                ("2025-03-10", "map-animation", "hailuo", 4L, 20L, 0L),
                ("2025-03-31", "video-generation", "hailuo", 1L, 8L, 0L),
            ],
            report.Series.Select(p => (p.Start.ToString("yyyy-MM-dd"), p.Feature, p.Model, p.Uses, p.Credits, p.UnlimitedUses)));
    }

    [Fact]
    public async Task GetUsage_HourlyBuckets_SplitByUtcHour()
    {
        var day = new CreditAnalyticsRange(new DateTimeOffset(2025, 3, 3, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2025, 3, 4, 0, 0, 0, TimeSpan.Zero), CreditAnalyticsBucket.Hour);

        var report = await AnalyticsAsync(a => a.GetUsageAsync(day));

        Assert.Equal(
            [("2025-03-03T09", "video-generation", 2L, 16L), ("2025-03-03T23", "image-generation", 1L, 3L)],
            report.Series.Select(p => (p.Start.ToString("yyyy-MM-ddTHH"), p.Feature, p.Uses, p.Credits)));
    }

    [Fact]
    public async Task GetUsage_WeeklyBuckets_StartOnMonday()
    {
        var report = await AnalyticsAsync(a => a.GetUsageAsync(new CreditAnalyticsRange(AnalyticsDataSet.March, AnalyticsDataSet.April, CreditAnalyticsBucket.Week)));

        Assert.Equal(
            [("2025-03-03", 6L, 64L, 2L), ("2025-03-10", 4L, 20L, 0L), ("2025-03-31", 1L, 8L, 0L)],
            report.Series.GroupBy(p => p.Start).Select(g => (g.Key.ToString("yyyy-MM-dd"), g.Sum(p => p.Uses), g.Sum(p => p.Credits), g.Sum(p => p.UnlimitedUses))));
    }

    [Fact]
    public async Task GetUsage_MonthlyBuckets_OnePointPerFeatureAndModel()
    {
        var report = await AnalyticsAsync(a => a.GetUsageAsync(new CreditAnalyticsRange(AnalyticsDataSet.March, AnalyticsDataSet.April, CreditAnalyticsBucket.Month)));

        Assert.All(report.Series, p => Assert.Equal(AnalyticsDataSet.March, p.Start));
        Assert.Equal(4, report.Series.Count);
        Assert.Equal(92, report.Series.Sum(p => p.Credits));
    }

    [Fact]
    public async Task GetTopUsers_LimitTwo_MostCreditsFirst()
    {
        var top = await AnalyticsAsync(a => a.GetTopUsersAsync(MarchDaily, limit: 2));

        Assert.Equal([("alice", 6L, 64L), ("bob", 4L, 20L)], top.Select(u => (u.UserId, u.Uses, u.Credits)));
    }

    [Fact]
    public async Task GetConsumptionSplit_March_FreeCreditsConsumedFirst()
    {
        var split = await AnalyticsAsync(a => a.GetConsumptionSplitAsync(MarchDaily));

        Assert.Equal((92L, 70L, 22L, 3L, 1L), (split.CreditsConsumed, split.FreeCredits, split.PaidCredits, split.Users, split.FreeOnlyUsers));
    }

    [Fact]
    public async Task GetConsumptionSplit_RangeAfterEarlierUse_FreeCreditsLeftAreCounted()
    {
        var split = await AnalyticsAsync(a => a.GetConsumptionSplitAsync(new CreditAnalyticsRange(new DateTimeOffset(2025, 3, 5, 0, 0, 0, TimeSpan.Zero), AnalyticsDataSet.April)));

        // alice: 50 free - 19 used before = 31 free of 45; bob: 20 free; dave: 8 paid.
        Assert.Equal((73L, 51L, 22L), (split.CreditsConsumed, split.FreeCredits, split.PaidCredits));
    }

    [Fact]
    public async Task GetPurchases_March_FunnelCountsCheckoutsByStatus()
    {
        var report = await AnalyticsAsync(a => a.GetPurchasesAsync(MarchDaily));

        Assert.Equal((7L, 3L, 1L, 1L, 1L, 1L), (report.CheckoutsStarted, report.Completed, report.Pending, report.Failed, report.Expired, report.Refunded));
        Assert.Equal(3 / 7.0, report.ConversionRate, 6);
    }

    [Fact]
    public async Task GetPurchases_March_RevenuePerCurrencyExcludesRefundedAndFree()
    {
        var report = await AnalyticsAsync(a => a.GetPurchasesAsync(MarchDaily));

        Assert.Equal([("eur", 2799L, 1L), ("usd", 12998L, 2L)], report.Revenue.Select(r => (r.Currency, r.AmountCents, r.Purchases)));
    }

    [Fact]
    public async Task GetPurchases_March_RefundsReportedInMoneyAndCredits()
    {
        var report = await AnalyticsAsync(a => a.GetPurchasesAsync(MarchDaily));

        Assert.Equal([("usd", 2999L, 1L)], report.RefundedAmounts.Select(r => (r.Currency, r.AmountCents, r.Purchases)));
        Assert.Equal(15, report.RefundedCredits);
    }

    [Fact]
    public async Task GetPurchases_March_PackagePopularityIncludesFreeClaims()
    {
        var report = await AnalyticsAsync(a => a.GetPurchasesAsync(MarchDaily));

        Assert.Equal(2, report.FreeClaims);
        Assert.Equal(
            [("starter", "usd", 2L, 100L, 0L), ("enterprise", "usd", 1L, 1000L, 9999L), ("pro", "usd", 1L, 200L, 2999L), ("pro-eur", "eur", 1L, 200L, 2799L)],
            report.Packages.Select(p => (p.PackageId, p.Currency, p.Purchases, p.Credits, p.AmountCents)));
    }

    [Fact]
    public async Task GetPurchases_WeeklyBuckets_RevenueByCompletionWeek()
    {
        var report = await AnalyticsAsync(a => a.GetPurchasesAsync(new CreditAnalyticsRange(AnalyticsDataSet.March, AnalyticsDataSet.April, CreditAnalyticsBucket.Week)));

        Assert.Equal(
            [("2025-03-03", "pro", "usd", 2999L), ("2025-03-10", "enterprise", "usd", 9999L), ("2025-03-17", "pro-eur", "eur", 2799L)],
            report.Series.Select(p => (p.Start.ToString("yyyy-MM-dd"), p.PackageId, p.Currency, p.AmountCents)));
    }

    [Fact]
    public async Task StreamTransactions_March_OldestFirstWithinRange()
    {
        var rows = await AnalyticsAsync(async a => await a.StreamTransactionsAsync(MarchDaily).ToListAsync());

        // grants: alice starter + pro, bob starter, erin enterprise + refund, frank pro, gina pro-eur = 7; usage rows: 11
        Assert.Equal(18, rows.Count);
        Assert.Equal(rows.OrderBy(r => r.CreatedAt).Select(r => r.Id), rows.Select(r => r.Id));
        Assert.All(rows, r => Assert.InRange(r.CreatedAt, AnalyticsDataSet.March.UtcDateTime, AnalyticsDataSet.April.UtcDateTime.AddTicks(-1)));
    }

    [Fact]
    public async Task StreamUsage_March_IncludesUnlimitedUses()
    {
        var rows = await AnalyticsAsync(async a => await a.StreamUsageAsync(MarchDaily).ToListAsync());

        Assert.Equal(13, rows.Count);
        Assert.Equal(2, rows.Count(r => r.IsUnlimited));
    }
}

public sealed class SqliteCreditAnalyticsTests(SqliteCreditsDatabase database) : CreditAnalyticsTests<SqliteCreditsDatabase>(database);

public sealed class PostgresCreditAnalyticsTests(PostgresCreditsDatabase database) : CreditAnalyticsTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbCreditAnalyticsTests(MariaDbCreditsDatabase database) : CreditAnalyticsTests<MariaDbCreditsDatabase>(database);
