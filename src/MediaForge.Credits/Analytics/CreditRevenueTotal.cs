namespace MediaForge.Credits;

/// <summary>An amount of money in one currency.</summary>
public sealed record CreditRevenueTotal
{
    /// <summary>The ISO currency code (lower case).</summary>
    public required string Currency { get; init; }

    /// <summary>The amount in minor units (cents).</summary>
    public required long AmountCents { get; init; }

    /// <summary>The number of purchases it comes from.</summary>
    public required long Purchases { get; init; }
}
