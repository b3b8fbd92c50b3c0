namespace MediaForge.Credits.Purchases;

/// <summary>
/// The one price computation of volume purchases, on the server: bounds, the tier reached, and the amount in minor
/// units. Amount = credits × package price ÷ package credits × (10,000 − discount) ÷ 10,000, computed exactly in 128-bit
/// integers and rounded half up to the minor unit once (so N packs without a tier cost exactly N × the pack's price).
/// </summary>
internal static class CreditVolumePricing
{
    /// <summary>The most one checkout may charge in minor units (Stripe's limit for a payment, 999,999.99 in two-decimal currencies).</summary>
    public const long MaxAmountCents = 99_999_999;

    /// <summary>The largest discount a tier may give (90%); larger rows are ignored.</summary>
    public const int MaxDiscountBasisPoints = 9_000;

    private const int Whole = 10_000;

    /// <summary>Whether the request is an ordinary purchase of one pack (no volume pricing).</summary>
    public static bool IsSinglePack(int quantity, long? credits) => quantity == 1 && credits is null;

    /// <summary>Why the volume request cannot be priced, or <see langword="null"/>.</summary>
    public static CreditVolumeException? Refusal(CreditPackage package, int quantity, long? credits, CreditVolumeOptions options)
    {
        if (package.IsFree || package.OncePerUser || package.Credits <= 0 || package.PriceCents <= 0)
        {
            return new("volume_not_available", $"Package '{package.Id}' is {(package.OncePerUser ? "once per user" : "free")}: it is not sold in volume.");
        }

        if (credits is not null && quantity != 1)
        {
            return new("quantity_and_credits", "Give a quantity of packs or a custom credit amount, not both.");
        }

        if (quantity < 1 || quantity > options.MaxQuantity || (long)quantity * package.Credits > options.MaxCredits)
        {
            return new("invalid_quantity", $"The quantity must be 1 to {Math.Min(options.MaxQuantity, options.MaxCredits / package.Credits)} packs of '{package.Id}'.");
        }

        var total = credits ?? quantity * package.Credits;
        if (total < package.Credits || total > options.MaxCredits)
        {
            return new("invalid_credits", $"A custom amount of '{package.Id}' is {package.Credits} to {options.MaxCredits} credits.");
        }

        return Amount(package, total, 0) > MaxAmountCents
            ? new("amount_too_large", $"One checkout charges at most {MaxAmountCents} minor units; buy fewer credits.")
            : null;
    }

    /// <summary>The quote of a request that <see cref="Refusal"/> accepted, with the tiers of the package.</summary>
    public static CreditVolumeQuote Quote(CreditPackage package, IEnumerable<CreditPackageTier> tiers, int quantity, long? credits)
    {
        var total = credits ?? quantity * package.Credits;
        var discount = Discount(tiers, total);
        return new CreditVolumeQuote
        {
            PackageId = package.Id,
            Quantity = credits is null ? quantity : null,
            Credits = total,
            DiscountBasisPoints = discount,
            FullAmountCents = (long)Amount(package, total, 0),
            AmountCents = (long)Amount(package, total, discount),
            Currency = package.Currency,
        };
    }

    /// <summary>The discount of the highest tier that <paramref name="credits"/> reaches (0 when none).</summary>
    public static int Discount(IEnumerable<CreditPackageTier> tiers, long credits) =>
        tiers.Where(t => t.MinCredits <= credits && t.DiscountBasisPoints is > 0 and <= MaxDiscountBasisPoints)
            .OrderByDescending(t => t.MinCredits).Select(t => t.DiscountBasisPoints).FirstOrDefault();

    private static Int128 Amount(CreditPackage package, long credits, int discount)
    {
        var numerator = (Int128)credits * package.PriceCents * (Whole - discount);
        var denominator = (Int128)package.Credits * Whole;
        return ((2 * numerator) + denominator) / (2 * denominator);
    }
}
