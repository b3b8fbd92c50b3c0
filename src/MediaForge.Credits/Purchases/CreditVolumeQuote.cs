namespace MediaForge.Credits;

/// <summary>
/// The server's price of a volume purchase (<see cref="ICreditCatalog.QuoteAsync"/>): the credits, the full price and
/// the price after the tier reached, in minor units. The full price is the package's price per credit times the
/// credits; the discount applies to the whole amount; the result is rounded half up to the minor unit once.
/// </summary>
public sealed record CreditVolumeQuote
{
    /// <summary>The package (lower case).</summary>
    public required string PackageId { get; init; }

    /// <summary>Packs bought; <see langword="null"/> for a custom credit amount.</summary>
    public int? Quantity { get; init; }

    /// <summary>Credits the purchase grants.</summary>
    public required long Credits { get; init; }

    /// <summary>The discount of the tier reached, in hundredths of a percent; 0 when no tier is reached.</summary>
    public required int DiscountBasisPoints { get; init; }

    /// <summary>The price without discount, in minor units.</summary>
    public required long FullAmountCents { get; init; }

    /// <summary>The price charged, in minor units.</summary>
    public required long AmountCents { get; init; }

    /// <summary>ISO 4217 currency code, lower case.</summary>
    public required string Currency { get; init; }

    /// <summary>What the tier saves, in minor units.</summary>
    public long SavingCents => FullAmountCents - AmountCents;
}
