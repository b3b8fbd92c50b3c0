namespace MediaForge.Credits.Entities;

/// <summary>
/// A volume discount of a credit pack (table <c>credit_package_tiers</c>): a purchase of at least
/// <see cref="MinCredits"/> credits of the pack at once (several packs, or a custom credit amount) costs
/// <see cref="DiscountBasisPoints"/> less on its whole price. The tier with the highest threshold the purchase reaches applies.
/// </summary>
public sealed class CreditPackageTier
{
    /// <summary>The package the tier belongs to.</summary>
    public string PackageId { get; set; } = "";

    /// <summary>The fewest credits bought at once that reach the tier (for example 5,000).</summary>
    public long MinCredits { get; set; }

    /// <summary>The discount in hundredths of a percent (1,000 is 10% off); 1 to 9,000.</summary>
    public int DiscountBasisPoints { get; set; }

    /// <summary>When the row was created (UTC).</summary>
    public DateTime CreatedAt { get; set; }
}
