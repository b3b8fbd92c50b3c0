using System.Runtime.CompilerServices;

namespace MediaForge.Credits.Analytics;

/// <summary>
/// Usage per hour (or day), feature, model and unlimited flag: whole hours from the hourly roll-up
/// (<see cref="CreditUsageHour"/>), partial hours and providers without the roll-up from the usage logs.
/// </summary>
internal sealed class CreditUsageCells(CreditsDbContextHandle handle)
{
    private readonly DbContext db = handle.Context;

    /// <summary>Shards of the hourly roll-up, or 0 when this provider has none (EF InMemory, SQL Server).</summary>
    public int RollUpShards => db.Database.IsRelational() ? CreditLedgerSql.For(db).UsageHourShards : 0;

    /// <summary>
    /// Usage per hour, feature, model and unlimited flag in [from, to): whole hours from the roll-up, the partial hours
    /// at either end (when a bound is not on the hour) from the usage logs.
    /// </summary>
    public async Task<List<UsageCell>> UsageCellsFromRollUpAsync(DateTime from, DateTime to, CancellationToken cancellationToken)
    {
        var firstWhole = CreditUsageHour.HourOf(from) == from ? from : CreditUsageHour.HourOf(from).AddHours(1);
        var endWhole = CreditUsageHour.HourOf(to);
        if (firstWhole >= endWhole)
        {
            // Less than one whole hour: the logs only.
            return await UsageCellsAsync(from, to, hourly: true, cancellationToken).ConfigureAwait(false);
        }

        var cells = await RollUpCellsAsync(db.Set<CreditUsageHour>().AsNoTracking()
            .Where(h => h.HourStart >= firstWhole && h.HourStart < endWhole), cancellationToken).ConfigureAwait(false);
        if (from < firstWhole)
        {
            cells.AddRange(await PartialHourAsync(CreditUsageHour.HourOf(from), from, firstWhole, cancellationToken).ConfigureAwait(false));
        }

        if (endWhole < to)
        {
            cells.AddRange(await PartialHourAsync(endWhole, endWhole, to, cancellationToken).ConfigureAwait(false));
        }

        return cells;
    }

    /// <summary>
    /// Usage in [<paramref name="from"/>, <paramref name="to"/>), a part of the hour starting at <paramref name="hour"/>.
    /// When the rest of that hour has no use (the usual case at the end of a range up to now), the hour's roll-up is
    /// exactly this part: read in one statement with the two emptiness checks (two index seeks), so from one snapshot.
    /// Otherwise the logs of the part are aggregated.
    /// </summary>
    private async Task<List<UsageCell>> PartialHourAsync(DateTime hour, DateTime from, DateTime to, CancellationToken cancellationToken)
    {
        var next = hour.AddHours(1);
        var logs = db.Set<UsageLog>().AsNoTracking();
        var rolledUp = await RollUpCellsAsync(db.Set<CreditUsageHour>().AsNoTracking()
            .Where(h => h.HourStart >= hour && h.HourStart < next
                // No use in [hour, from) nor in [to, next), asked with min() for the reason given in GetUsageAsync.
                && (logs.Where(u => u.CreatedAt >= hour).Min(u => (DateTime?)u.CreatedAt) ?? from) >= from
                && (logs.Where(u => u.CreatedAt >= to).Min(u => (DateTime?)u.CreatedAt) ?? next) >= next), cancellationToken).ConfigureAwait(false);
        return rolledUp.Count > 0 ? rolledUp : await UsageCellsAsync(from, to, hourly: true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The roll-up rows chosen by <paramref name="hours"/>, their shards summed: one cell per hour, feature, model and unlimited flag.</summary>
    private static async Task<List<UsageCell>> RollUpCellsAsync(IQueryable<CreditUsageHour> hours, CancellationToken cancellationToken) =>
        (await hours
            .GroupBy(h => new { h.HourStart, h.Feature, h.Model, h.IsUnlimited })
            .Select(g => new { g.Key.HourStart, g.Key.Feature, g.Key.Model, g.Key.IsUnlimited, Uses = g.Sum(h => h.Uses), Credits = g.Sum(h => h.Credits), Value = g.Sum(h => h.Value) })
            .ToListAsync(cancellationToken).ConfigureAwait(false))
        .ConvertAll(g => new UsageCell(DateTime.SpecifyKind(g.HourStart, DateTimeKind.Utc), g.Feature, g.Model, g.IsUnlimited, g.Uses, g.Credits, g.Value));

    /// <summary>Usage per day (or hour), feature, model and unlimited flag in [from, to), aggregated from the usage logs.</summary>
    public async Task<List<UsageCell>> UsageCellsAsync(DateTime from, DateTime to, bool hourly, CancellationToken cancellationToken) =>
        (await db.Set<UsageLog>().AsNoTracking().Where(u => u.CreatedAt >= from && u.CreatedAt < to)
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
            .ToListAsync(cancellationToken).ConfigureAwait(false))
        .ConvertAll(g => new UsageCell(new DateTime(g.Year, g.Month, g.Day, g.Hour, 0, 0, DateTimeKind.Utc), g.Feature, g.Model, g.IsUnlimited, g.Uses, g.Credits, g.Value));

    /// <summary>Usage of one hour (or day), feature, model and unlimited flag.</summary>
    public sealed record UsageCell(DateTime Hour, string Feature, string Model, bool IsUnlimited, long Uses, long Credits, long Value);
}
