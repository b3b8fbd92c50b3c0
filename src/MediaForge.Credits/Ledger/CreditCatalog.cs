using MediaForge.Credits.Purchases;

namespace MediaForge.Credits.Ledger;

internal sealed class CreditCatalog(CreditsDbContextHandle handle, FeaturePriceCache prices, IOptions<CreditsOptions> options) : ICreditCatalog
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

    public async Task<IReadOnlyList<CreditPackageTier>> GetPackageTiersAsync(CancellationToken cancellationToken = default) =>
        await handle.Context.Set<CreditPackageTier>().AsNoTracking()
            .Where(t => handle.Context.Set<CreditPackage>().Any(p => p.Id == t.PackageId && p.IsActive))
            .OrderBy(t => t.PackageId).ThenBy(t => t.MinCredits)
            .ToListAsync(cancellationToken).ConfigureAwait(false);

    public async Task<CreditVolumeQuote> QuoteAsync(string packageId, int quantity = 1, long? credits = null, CancellationToken cancellationToken = default)
    {
        var package = await CreditPackageRows.FindAsync(handle.Context, packageId, free: false, cancellationToken).ConfigureAwait(false);
        return await CreditPackageRows.QuoteAsync(handle.Context, package, quantity, credits, options.Value.Volume, cancellationToken).ConfigureAwait(false);
    }
}
