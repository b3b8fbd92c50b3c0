namespace MediaForge.Credits;

/// <summary>The prices of AI features and the credit packs on sale, as stored in the database.</summary>
public interface ICreditCatalog
{
    /// <summary>Gets the price in credits of one use of a feature with a model.</summary>
    /// <param name="feature">The feature (case-insensitive).</param>
    /// <param name="model">The model (case-insensitive).</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <exception cref="UnknownFeaturePricingException">No active price exists for the feature and model.</exception>
    Task<long> GetPriceAsync(string feature, string model, CancellationToken cancellationToken = default);

    /// <summary>Gets every active feature price, ordered by feature and model.</summary>
    /// <param name="cancellationToken">Cancels the query.</param>
    Task<IReadOnlyList<FeaturePrice>> GetFeaturePricesAsync(CancellationToken cancellationToken = default);

    /// <summary>Gets the active credit packs in display order.</summary>
    /// <param name="cancellationToken">Cancels the query.</param>
    Task<IReadOnlyList<CreditPackage>> GetPackagesAsync(CancellationToken cancellationToken = default);

    /// <summary>Gets the volume discounts of the active packs, by package and threshold.</summary>
    /// <param name="cancellationToken">Cancels the query.</param>
    Task<IReadOnlyList<CreditPackageTier>> GetPackageTiersAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Prices a volume purchase of an active paid package on the server: <paramref name="quantity"/> packs, or a custom
    /// amount of <paramref name="credits"/> (then <paramref name="quantity"/> stays 1), with the discount of the highest
    /// tier the credits reach. This is the price <see cref="ICreditPurchaseService.StartVolumePurchaseAsync"/> records and charges.
    /// </summary>
    /// <param name="packageId">The package (case-insensitive).</param>
    /// <param name="quantity">Packs: 1 to <see cref="CreditVolumeOptions.MaxQuantity"/>.</param>
    /// <param name="credits">A custom credit amount: the package's credits to <see cref="CreditVolumeOptions.MaxCredits"/>; or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <exception cref="UnknownCreditPackageException">No active paid package has that id.</exception>
    /// <exception cref="CreditVolumeException">The request is out of bounds or the package is not sold in volume.</exception>
    Task<CreditVolumeQuote> QuoteAsync(string packageId, int quantity = 1, long? credits = null, CancellationToken cancellationToken = default);
}
