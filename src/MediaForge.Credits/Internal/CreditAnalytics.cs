using System.Runtime.CompilerServices;
using MediaForge.Credits.Entities;
using Microsoft.EntityFrameworkCore;

namespace MediaForge.Credits.Internal;

/// <summary>
/// <see cref="ICreditAnalytics"/> in portable LINQ. Series are grouped in the database by the UTC calendar parts of the
/// timestamp (year, month, day and, for hourly series, hour: translated by SQLite and PostgreSQL alike), so at most one
/// row per hour or day, feature and model comes back; weeks and months are folded from days in memory. Range filters
/// run on the <c>created_at</c> (usage, ledger) and <c>(status, created_at)</c> / <c>(status, completed_at)</c>
/// (purchases) indexes.
/// </summary>
internal sealed class CreditAnalytics(CreditsDbContextHandle handle) : ICreditAnalytics
{
    /// <summary>The provider name the free packages' claims are recorded with.</summary>
    public const string FreeProvider = "free";

    private readonly DbContext db = handle.Context;

    public async Task<CreditUsageReport> GetUsageAsync(CreditAnalyticsRange range, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(range);
        var (from, to) = Bounds(range);
        var logs = db.Set<UsageLog>().AsNoTracking().Where(u => u.CreatedAt >= from && u.CreatedAt < to);
        var hourly = range.Bucket == CreditAnalyticsBucket.Hour;
        var groups = await logs
            .GroupBy(u => new
            {
                u.CreatedAt.Year,
                u.CreatedAt.Month,
                u.CreatedAt.Day,
                Hour = hourly ? u.CreatedAt.Hour : 0,
                u.Feature,
                u.Model,
                u.IsUnlimited,
            })
            .Select(g => new
            {
                g.Key.Year,
                g.Key.Month,
                g.Key.Day,
                g.Key.Hour,
                g.Key.Feature,
                g.Key.Model,
                g.Key.IsUnlimited,
                Uses = g.LongCount(),
                Credits = g.Sum(u => u.CreditsUsed),
                Value = g.Sum(u => u.Price),
            })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var activeUsers = await logs.Where(u => !u.IsUnlimited).Select(u => u.UserId).Distinct()
            .LongCountAsync(cancellationToken).ConfigureAwait(false);

        var series = groups
            .GroupBy(g => (Start: BucketStart(new DateTime(g.Year, g.Month, g.Day, g.Hour, 0, 0, DateTimeKind.Utc), range.Bucket), g.Feature, g.Model))
            .Select(b => new CreditUsagePoint
            {
                Start = b.Key.Start,
                Feature = b.Key.Feature,
                Model = b.Key.Model,
                Uses = b.Where(g => !g.IsUnlimited).Sum(g => g.Uses),
                Credits = b.Where(g => !g.IsUnlimited).Sum(g => g.Credits),
                UnlimitedUses = b.Where(g => g.IsUnlimited).Sum(g => g.Uses),
            })
            .OrderBy(p => p.Start).ThenBy(p => p.Feature, StringComparer.Ordinal).ThenBy(p => p.Model, StringComparer.Ordinal)
            .ToList();
        var features = groups
            .GroupBy(g => (g.Feature, g.Model))
            .Select(f => new CreditFeatureUsage
            {
                Feature = f.Key.Feature,
                Model = f.Key.Model,
                Uses = f.Where(g => !g.IsUnlimited).Sum(g => g.Uses),
                Credits = f.Where(g => !g.IsUnlimited).Sum(g => g.Credits),
                UnlimitedUses = f.Where(g => g.IsUnlimited).Sum(g => g.Uses),
                UnlimitedCreditsValue = f.Where(g => g.IsUnlimited).Sum(g => g.Value),
            })
            .OrderByDescending(f => f.Credits).ThenBy(f => f.Feature, StringComparer.Ordinal).ThenBy(f => f.Model, StringComparer.Ordinal)
            .ToList();
        var credits = features.Sum(f => f.Credits);
        return new CreditUsageReport
        {
            Range = range,
            Uses = features.Sum(f => f.Uses),
            CreditsConsumed = credits,
            ActiveUsers = activeUsers,
            CreditsPerDay = credits / range.Days,
            UnlimitedUses = features.Sum(f => f.UnlimitedUses),
            UnlimitedCreditsValue = features.Sum(f => f.UnlimitedCreditsValue),
            Features = features,
            Series = series,
        };
    }

    public async Task<IReadOnlyList<CreditTopUser>> GetTopUsersAsync(CreditAnalyticsRange range, int limit = 10, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(range);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, 1000);
        var (from, to) = Bounds(range);
        var top = await db.Set<UsageLog>().AsNoTracking()
            .Where(u => u.CreatedAt >= from && u.CreatedAt < to && !u.IsUnlimited)
            .GroupBy(u => u.UserId)
            .Select(g => new { UserId = g.Key, Uses = g.LongCount(), Credits = g.Sum(u => u.CreditsUsed) })
            .OrderByDescending(x => x.Credits).ThenByDescending(x => x.Uses).ThenBy(x => x.UserId)
            .Take(limit)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var ids = top.ConvertAll(t => t.UserId);
        var profiles = await db.Set<CreditUser>().AsNoTracking().Where(u => ids.Contains(u.Id))
            .Select(u => new { u.Id, u.Email, u.DisplayName })
            .ToDictionaryAsync(u => u.Id, StringComparer.Ordinal, cancellationToken).ConfigureAwait(false);
        return top.ConvertAll(t => new CreditTopUser
        {
            UserId = t.UserId,
            Email = profiles.GetValueOrDefault(t.UserId)?.Email,
            DisplayName = profiles.GetValueOrDefault(t.UserId)?.DisplayName,
            Uses = t.Uses,
            Credits = t.Credits,
        });
    }

    public async Task<CreditConsumptionSplit> GetConsumptionSplitAsync(CreditAnalyticsRange range, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(range);
        var (from, to) = Bounds(range);
        var perUser = await db.Set<CreditTransaction>().AsNoTracking()
            .Where(t => t.CreatedAt < to && (t.Type == CreditTransactionType.Bonus || t.Type == CreditTransactionType.Usage))
            .GroupBy(t => t.UserId)
            .Select(g => new
            {
                Free = g.Sum(t => t.Type == CreditTransactionType.Bonus ? t.Amount : 0L),
                Before = g.Sum(t => t.Type == CreditTransactionType.Usage && t.CreatedAt < from ? -t.Amount : 0L),
                During = g.Sum(t => t.Type == CreditTransactionType.Usage && t.CreatedAt >= from ? -t.Amount : 0L),
            })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        long consumed = 0, free = 0, users = 0, freeOnly = 0;
        foreach (var user in perUser.Where(u => u.During > 0))
        {
            var fromFree = Math.Clamp(user.Free - user.Before, 0, user.During);
            consumed += user.During;
            free += fromFree;
            users++;
            freeOnly += fromFree == user.During ? 1 : 0;
        }

        return new CreditConsumptionSplit
        {
            Range = range,
            CreditsConsumed = consumed,
            FreeCredits = free,
            PaidCredits = consumed - free,
            Users = users,
            FreeOnlyUsers = freeOnly,
        };
    }

    public async Task<CreditPurchaseReport> GetPurchasesAsync(CreditAnalyticsRange range, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(range);
        var (from, to) = Bounds(range);
        var purchases = db.Set<CreditPurchase>().AsNoTracking();
        var funnel = await purchases
            .Where(p => p.CreatedAt >= from && p.CreatedAt < to && p.Provider != FreeProvider)
            .GroupBy(p => new { p.Status, p.Currency })
            .Select(g => new { g.Key.Status, g.Key.Currency, Count = g.LongCount(), Amount = g.Sum(p => p.AmountCents) })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var hourly = range.Bucket == CreditAnalyticsBucket.Hour;
        var completed = await purchases
            .Where(p => p.Status == PurchaseStatus.Completed && p.CompletedAt >= from && p.CompletedAt < to)
            .GroupBy(p => new
            {
                p.CompletedAt!.Value.Year,
                p.CompletedAt.Value.Month,
                p.CompletedAt.Value.Day,
                Hour = hourly ? p.CompletedAt.Value.Hour : 0,
                p.PackageId,
                p.Currency,
                Free = p.Provider == FreeProvider,
            })
            .Select(g => new
            {
                g.Key.Year,
                g.Key.Month,
                g.Key.Day,
                g.Key.Hour,
                g.Key.PackageId,
                g.Key.Currency,
                g.Key.Free,
                Count = g.LongCount(),
                Credits = g.Sum(p => p.Credits),
                Amount = g.Sum(p => p.AmountCents),
            })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var refundedCredits = await db.Set<CreditTransaction>().AsNoTracking()
            .Where(t => t.Type == CreditTransactionType.Refund && t.CreatedAt >= from && t.CreatedAt < to)
            .SumAsync(t => t.Amount, cancellationToken).ConfigureAwait(false);

        long Count(PurchaseStatus status) => funnel.Where(f => f.Status == status).Sum(f => f.Count);
        var started = funnel.Sum(f => f.Count);
        var paid = completed.Where(c => !c.Free).ToList();
        return new CreditPurchaseReport
        {
            Range = range,
            CheckoutsStarted = started,
            Completed = Count(PurchaseStatus.Completed),
            Pending = Count(PurchaseStatus.Pending),
            Failed = Count(PurchaseStatus.Failed),
            Expired = Count(PurchaseStatus.Expired),
            Refunded = Count(PurchaseStatus.Refunded),
            RefundedAmounts = Totals(funnel.Where(f => f.Status == PurchaseStatus.Refunded).Select(f => (f.Currency, f.Amount, f.Count))),
            ConversionRate = started == 0 ? 0 : (double)Count(PurchaseStatus.Completed) / started,
            RefundedCredits = refundedCredits,
            FreeClaims = completed.Where(c => c.Free).Sum(c => c.Count),
            Revenue = Totals(paid.Select(c => (c.Currency, c.Amount, c.Count))),
            Packages = completed
                .GroupBy(c => (c.PackageId, c.Currency))
                .Select(g => new CreditPackagePopularity
                {
                    PackageId = g.Key.PackageId,
                    Currency = g.Key.Currency,
                    Purchases = g.Sum(c => c.Count),
                    Credits = g.Sum(c => c.Credits),
                    AmountCents = g.Sum(c => c.Amount),
                })
                .OrderByDescending(p => p.Purchases).ThenBy(p => p.PackageId, StringComparer.Ordinal).ThenBy(p => p.Currency, StringComparer.Ordinal)
                .ToList(),
            Series = paid
                .GroupBy(c => (Start: BucketStart(new DateTime(c.Year, c.Month, c.Day, c.Hour, 0, 0, DateTimeKind.Utc), range.Bucket), c.PackageId, c.Currency))
                .Select(g => new CreditRevenuePoint
                {
                    Start = g.Key.Start,
                    PackageId = g.Key.PackageId,
                    Currency = g.Key.Currency,
                    Purchases = g.Sum(c => c.Count),
                    AmountCents = g.Sum(c => c.Amount),
                })
                .OrderBy(p => p.Start).ThenBy(p => p.PackageId, StringComparer.Ordinal).ThenBy(p => p.Currency, StringComparer.Ordinal)
                .ToList(),
        };
    }

    public async IAsyncEnumerable<CreditTransaction> StreamTransactionsAsync(CreditAnalyticsRange range, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(range);
        var (from, to) = Bounds(range);
        var rows = db.Set<CreditTransaction>().AsNoTracking()
            .Where(t => t.CreatedAt >= from && t.CreatedAt < to)
            .OrderBy(t => t.CreatedAt).ThenBy(t => t.Id)
            .AsAsyncEnumerable().WithCancellation(cancellationToken).ConfigureAwait(false);
        await foreach (var row in rows)
        {
            yield return row;
        }
    }

    public async IAsyncEnumerable<UsageLog> StreamUsageAsync(CreditAnalyticsRange range, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(range);
        var (from, to) = Bounds(range);
        var rows = db.Set<UsageLog>().AsNoTracking()
            .Where(u => u.CreatedAt >= from && u.CreatedAt < to)
            .OrderBy(u => u.CreatedAt).ThenBy(u => u.Id)
            .AsAsyncEnumerable().WithCancellation(cancellationToken).ConfigureAwait(false);
        await foreach (var row in rows)
        {
            yield return row;
        }
    }

    /// <summary>The start (UTC) of the bucket that holds <paramref name="value"/>; weeks start on Monday (ISO 8601).</summary>
    internal static DateTimeOffset BucketStart(DateTime value, CreditAnalyticsBucket bucket)
    {
        var day = new DateTime(value.Year, value.Month, value.Day, 0, 0, 0, DateTimeKind.Utc);
        var start = bucket switch
        {
            CreditAnalyticsBucket.Hour => day.AddHours(value.Hour),
            CreditAnalyticsBucket.Day => day,
            CreditAnalyticsBucket.Week => day.AddDays(-(((int)day.DayOfWeek + 6) % 7)),
            _ => new DateTime(value.Year, value.Month, 1, 0, 0, 0, DateTimeKind.Utc),
        };
        return new DateTimeOffset(start);
    }

    private static (DateTime From, DateTime To) Bounds(CreditAnalyticsRange range) => (range.From.UtcDateTime, range.To.UtcDateTime);

    private static List<CreditRevenueTotal> Totals(IEnumerable<(string Currency, long Amount, long Count)> rows) =>
        rows.GroupBy(r => r.Currency.ToLowerInvariant())
            .Select(g => new CreditRevenueTotal { Currency = g.Key, AmountCents = g.Sum(r => r.Amount), Purchases = g.Sum(r => r.Count) })
            .OrderBy(t => t.Currency, StringComparer.Ordinal)
            .ToList();
}
