namespace MediaForge.Credits;

/// <summary>
/// Bounds of volume purchases (configuration section <c>MediaForge:Credits:Volume</c>): several packs at once, or a
/// custom credit amount, priced by the package's tiers (<see cref="Entities.CreditPackageTier"/>).
/// </summary>
public sealed class CreditVolumeOptions
{
    /// <summary>The most packs one purchase may buy: 1 to 10,000. Default 100.</summary>
    public int MaxQuantity { get; set; } = 100;

    /// <summary>
    /// The most credits one volume purchase may grant, packs or custom amount: 1 to <see cref="CreditLimits.MaxAmount"/>.
    /// Default 1,000,000. A custom amount is also at least the package's own credits.
    /// </summary>
    public long MaxCredits { get; set; } = 1_000_000;
}
