using System.Runtime.CompilerServices;

namespace MediaForge.Credits.Analytics;

/// <summary>
/// The purchase report: the checkout funnel, revenue per currency, package popularity and the revenue series, grouped
/// by UTC day (and hour) in the database over covering indexes.
/// </summary>
internal sealed class CreditPurchaseAnalytics(CreditsDbContextHandle handle)
{
    private readonly DbContext db = handle.Context;

    public async Task<CreditPurchaseReport> GetPurchasesAsync(CreditAnalyticsRange range, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(range);
        var (from, to) = CreditAnalytics.Bounds(range);
        var purchases = db.Set<CreditPurchase>().AsNoTracking();
        var funnel = await purchases
            .Where(p => p.CreatedAt >= from && p.CreatedAt < to && p.Provider != CreditAnalytics.FreeProvider)
            .GroupBy(p => new { p.Status, p.Currency })
            .Select(g => new { g.Key.Status, g.Key.Currency, Count = g.LongCount(), Amount = g.Sum(p => p.AmountCents) })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        // The completed purchases of the range, over the covering (status, completed_at, ...) index, grouped in the
        // database by UTC day (one date function per row; by day and hour for hourly buckets): a few rows per day and
        // package come back, and weeks and months are folded here.
        var completedInRange = purchases.Where(p => p.Status == PurchaseStatus.Completed && p.CompletedAt >= from && p.CompletedAt < to);
        var completed = (range.Bucket == CreditAnalyticsBucket.Hour
                ? await completedInRange
                    .GroupBy(p => new { p.CompletedAt!.Value.Date, p.CompletedAt.Value.Hour, p.PackageId, p.Currency, Free = p.Provider == CreditAnalytics.FreeProvider })
                    .Select(g => new { g.Key.Date, g.Key.Hour, g.Key.PackageId, g.Key.Currency, g.Key.Free, Count = g.LongCount(), Credits = g.Sum(p => p.Credits), Amount = g.Sum(p => p.AmountCents) })
                    .ToListAsync(cancellationToken).ConfigureAwait(false)
                : await completedInRange
                    .GroupBy(p => new { p.CompletedAt!.Value.Date, p.PackageId, p.Currency, Free = p.Provider == CreditAnalytics.FreeProvider })
                    .Select(g => new { g.Key.Date, Hour = 0, g.Key.PackageId, g.Key.Currency, g.Key.Free, Count = g.LongCount(), Credits = g.Sum(p => p.Credits), Amount = g.Sum(p => p.AmountCents) })
                    .ToListAsync(cancellationToken).ConfigureAwait(false))
            .GroupBy(c => (Start: CreditAnalytics.BucketStart(new DateTime(c.Date.Year, c.Date.Month, c.Date.Day, c.Hour, 0, 0, DateTimeKind.Utc), range.Bucket), c.PackageId, c.Currency, c.Free))
            .Select(g => new
            {
                g.Key.Start,
                g.Key.PackageId,
                g.Key.Currency,
                g.Key.Free,
                Count = g.Sum(c => c.Count),
                Credits = g.Sum(c => c.Credits),
                Amount = g.Sum(c => c.Amount),
            })
            .ToList();
        var refundedCredits = await db.Set<CreditTransaction>().AsNoTracking()
            // "not a usage charge" repeats the partial index's filter, so SQLite uses the index.
            .Where(t => t.Type == CreditTransactionType.Refund && t.Type != CreditTransactionType.Usage && t.CreatedAt >= from && t.CreatedAt < to)
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
                .GroupBy(c => (c.Start, c.PackageId, c.Currency))
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

    private static List<CreditRevenueTotal> Totals(IEnumerable<(string Currency, long Amount, long Count)> rows) =>
        rows.GroupBy(r => r.Currency.ToLowerInvariant())
            .Select(g => new CreditRevenueTotal { Currency = g.Key, AmountCents = g.Sum(r => r.Amount), Purchases = g.Sum(r => r.Count) })
            .OrderBy(t => t.Currency, StringComparer.Ordinal)
            .ToList();
}
