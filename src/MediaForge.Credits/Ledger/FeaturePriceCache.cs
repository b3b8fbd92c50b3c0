using System.Collections.Frozen;

namespace MediaForge.Credits.Ledger;

/// <summary>
/// Active feature prices held in memory for <see cref="CreditsOptions.PricingCacheDuration"/>, so a deduction costs
/// no extra round trip for its price. A miss reloads at once, so a newly added price is usable immediately.
/// </summary>
internal sealed class FeaturePriceCache(IOptions<CreditsOptions> options, TimeProvider time)
{
    private Snapshot? current;

    public async Task<long?> FindAsync(DbContext db, string feature, string model, CancellationToken cancellationToken)
    {
        var key = (feature, model);
        var snapshot = current;
        if (snapshot is not null && !IsStale(snapshot) && snapshot.Prices.TryGetValue(key, out var cached))
        {
            return cached;
        }

        snapshot = await LoadAsync(db, cancellationToken).ConfigureAwait(false);
        return snapshot.Prices.TryGetValue(key, out var price) ? price : null;
    }

    /// <summary>Forgets the cached prices (after they were edited through the library).</summary>
    public void Invalidate() => current = null;

    private bool IsStale(Snapshot snapshot) => time.GetUtcNow() - snapshot.LoadedAt >= options.Value.PricingCacheDuration;

    private async Task<Snapshot> LoadAsync(DbContext db, CancellationToken cancellationToken)
    {
        var rows = await db.Set<FeaturePrice>().AsNoTracking()
            .Where(p => p.IsActive)
            .Select(p => new { p.Feature, p.Model, p.Credits })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var snapshot = new Snapshot(
            rows.ToFrozenDictionary(r => (r.Feature, r.Model), r => r.Credits),
            time.GetUtcNow());
        current = snapshot;
        return snapshot;
    }

    private sealed record Snapshot(FrozenDictionary<(string Feature, string Model), long> Prices, DateTimeOffset LoadedAt);
}
