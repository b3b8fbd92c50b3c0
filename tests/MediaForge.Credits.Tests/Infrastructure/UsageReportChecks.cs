using MediaForge.Credits.Entities;
using MediaForge.Credits.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MediaForge.Credits.Tests.Infrastructure;

/// <summary>
/// The usage reports and the derived usage data against a recomputation from the raw rows (the reports' definitions,
/// in memory), on the services' <see cref="CreditsDbContext"/>.
/// </summary>
public static class UsageReportChecks
{
    /// <summary>Each user's charged usage logs, in (time, running uses) order, carry 1..n and the prefix sums of their credits; the account counters hold the totals.</summary>
    public static async Task AssertRunningTotalsAsync(IServiceProvider services, IEnumerable<string> users)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CreditsDbContext>();
        foreach (var user in users)
        {
            var logs = (await db.UsageLogs.AsNoTracking().Where(u => u.UserId == user && !u.IsUnlimited).ToListAsync())
                .OrderBy(u => u.CreatedAt).ThenBy(u => u.CumulativeUses).ToList();
            long credits = 0;
            for (var i = 0; i < logs.Count; i++)
            {
                credits += logs[i].CreditsUsed;
                Assert.Equal((i + 1L, credits), (logs[i].CumulativeUses, logs[i].CumulativeCredits));
            }

            var account = await db.Accounts.AsNoTracking().SingleAsync(a => a.UserId == user);
            Assert.Equal(((long)logs.Count, credits), (account.UsageCount, account.UsageCredits));
        }
    }

    /// <summary>Every report figure the roll-up and running totals feed, against the same figures computed from the raw rows.</summary>
    public static async Task AssertReportsMatchRawAsync(IServiceProvider services, CreditAnalyticsRange range)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CreditsDbContext>();
        var analytics = scope.ServiceProvider.GetRequiredService<ICreditAnalytics>();
        var (from, to) = (range.From.UtcDateTime, range.To.UtcDateTime);
        var logs = await db.UsageLogs.AsNoTracking().Where(u => u.CreatedAt >= from && u.CreatedAt < to).ToListAsync();
        var charged = logs.Where(u => !u.IsUnlimited).ToList();

        var report = await analytics.GetUsageAsync(range);
        Assert.Equal(
            (charged.LongCount(), charged.Sum(u => u.CreditsUsed), charged.Select(u => u.UserId).Distinct().LongCount(),
             logs.LongCount(u => u.IsUnlimited), logs.Where(u => u.IsUnlimited).Sum(u => u.Price)),
            (report.Uses, report.CreditsConsumed, report.ActiveUsers, report.UnlimitedUses, report.UnlimitedCreditsValue));
        Assert.Equal(
            logs.GroupBy(u => (Start: Bucket(u.CreatedAt, range.Bucket), u.Feature, u.Model))
                .Select(g => (g.Key.Start, g.Key.Feature, g.Key.Model, g.LongCount(u => !u.IsUnlimited), g.Where(u => !u.IsUnlimited).Sum(u => u.CreditsUsed), g.LongCount(u => u.IsUnlimited)))
                .OrderBy(p => p.Start).ThenBy(p => p.Feature, StringComparer.Ordinal).ThenBy(p => p.Model, StringComparer.Ordinal),
            report.Series.Select(p => (p.Start, p.Feature, p.Model, p.Uses, p.Credits, p.UnlimitedUses)));
        Assert.Equal(
            logs.GroupBy(u => (u.Feature, u.Model))
                .Select(g => (g.Key.Feature, g.Key.Model, g.LongCount(u => !u.IsUnlimited), g.Where(u => !u.IsUnlimited).Sum(u => u.CreditsUsed), g.Where(u => u.IsUnlimited).Sum(u => u.Price)))
                .OrderBy(f => f.Feature, StringComparer.Ordinal).ThenBy(f => f.Model, StringComparer.Ordinal),
            report.Features.Select(f => (f.Feature, f.Model, f.Uses, f.Credits, f.UnlimitedCreditsValue))
                .OrderBy(f => f.Feature, StringComparer.Ordinal).ThenBy(f => f.Model, StringComparer.Ordinal));

        var ranking = charged.GroupBy(u => u.UserId)
            .Select(g => (UserId: g.Key, Uses: g.LongCount(), Credits: g.Sum(u => u.CreditsUsed)))
            .OrderByDescending(u => u.Credits).ThenByDescending(u => u.Uses).ThenBy(u => u.UserId, StringComparer.Ordinal)
            .ToList();
        var top = await analytics.GetTopUsersAsync(range, 1000);
        Assert.Equal(ranking, top.Select(u => (u.UserId, u.Uses, u.Credits)));
        // A limit below the number of users: only the best are kept while the rows stream, ties broken the same way.
        var topThree = await analytics.GetTopUsersAsync(range, 3);
        Assert.Equal(ranking.Take(3), topThree.Select(u => (u.UserId, u.Uses, u.Credits)));

        var ledger = await db.Transactions.AsNoTracking()
            .Where(t => t.CreatedAt < to && (t.Type == CreditTransactionType.Bonus || t.Type == CreditTransactionType.Usage)).ToListAsync();
        var perUser = ledger.GroupBy(t => t.UserId).Select(g => (
            Free: g.Where(t => t.Type == CreditTransactionType.Bonus).Sum(t => t.Amount),
            Before: g.Where(t => t.Type == CreditTransactionType.Usage && t.CreatedAt < from).Sum(t => -t.Amount),
            During: g.Where(t => t.Type == CreditTransactionType.Usage && t.CreatedAt >= from).Sum(t => -t.Amount)))
            .Where(u => u.During > 0)
            .Select(u => (u.During, FromFree: Math.Clamp(u.Free - u.Before, 0, u.During)))
            .ToList();
        var split = await analytics.GetConsumptionSplitAsync(range);
        Assert.Equal(
            (perUser.Sum(u => u.During), perUser.Sum(u => u.FromFree), (long)perUser.Count, perUser.LongCount(u => u.FromFree == u.During)),
            (split.CreditsConsumed, split.FreeCredits, split.Users, split.FreeOnlyUsers));
    }

    private static DateTimeOffset Bucket(DateTime at, CreditAnalyticsBucket bucket)
    {
        var day = new DateTime(at.Year, at.Month, at.Day, 0, 0, 0, DateTimeKind.Utc);
        return new DateTimeOffset(bucket switch
        {
            CreditAnalyticsBucket.Hour => day.AddHours(at.Hour),
            CreditAnalyticsBucket.Day => day,
            CreditAnalyticsBucket.Week => day.AddDays(-(((int)day.DayOfWeek + 6) % 7)),
            _ => new DateTime(at.Year, at.Month, 1, 0, 0, 0, DateTimeKind.Utc),
        });
    }
}
