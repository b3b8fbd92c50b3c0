namespace MediaForge.Credits.Ledger;

internal sealed class CreditCatalog(CreditsDbContextHandle handle, FeaturePriceCache prices) : ICreditCatalog
{
    public async Task<long> GetPriceAsync(string feature, string model, CancellationToken cancellationToken = default)
    {
        var normalizedFeature = CreditArguments.Name(feature, nameof(feature));
        var normalizedModel = CreditArguments.Name(model, nameof(model));
        return await prices.FindAsync(handle.Context, normalizedFeature, normalizedModel, cancellationToken).ConfigureAwait(false)
            ?? throw new UnknownFeaturePricingException(feature, model);
    }

    public async Task<IReadOnlyList<FeaturePrice>> GetFeaturePricesAsync(CancellationToken cancellationToken = default) =>
        await handle.Context.Set<FeaturePrice>().AsNoTracking()
            .Where(p => p.IsActive)
            .OrderBy(p => p.Feature).ThenBy(p => p.Model)
            .ToListAsync(cancellationToken).ConfigureAwait(false);

    public async Task<IReadOnlyList<CreditPackage>> GetPackagesAsync(CancellationToken cancellationToken = default) =>
        await handle.Context.Set<CreditPackage>().AsNoTracking()
            .Where(p => p.IsActive)
            .OrderBy(p => p.SortOrder).ThenBy(p => p.Id)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
}
