namespace MediaForge.Credits;

/// <summary>Completed purchases of one package in one currency over a range.</summary>
public sealed record CreditPackagePopularity
{
    /// <summary>The package id.</summary>
    public required string PackageId { get; init; }

    /// <summary>The ISO currency code (lower case).</summary>
    public required string Currency { get; init; }

    /// <summary>Completed purchases (or free claims).</summary>
    public required long Purchases { get; init; }

    /// <summary>Credits granted by them.</summary>
    public required long Credits { get; init; }

    /// <summary>Money received, in minor units (0 for free packages).</summary>
    public required long AmountCents { get; init; }
}
