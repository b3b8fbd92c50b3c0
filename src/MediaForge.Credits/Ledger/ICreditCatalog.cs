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
}
