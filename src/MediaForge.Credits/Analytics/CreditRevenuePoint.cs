namespace MediaForge.Credits;

/// <summary>Revenue of one package in one currency in one bucket of a time series.</summary>
public sealed record CreditRevenuePoint
{
    /// <summary>The start of the bucket (UTC).</summary>
    public required DateTimeOffset Start { get; init; }

    /// <summary>The package id.</summary>
    public required string PackageId { get; init; }

    /// <summary>The ISO currency code (lower case).</summary>
    public required string Currency { get; init; }

    /// <summary>Purchases completed in the bucket.</summary>
    public required long Purchases { get; init; }

    /// <summary>Money received, in minor units.</summary>
    public required long AmountCents { get; init; }
}
