namespace MediaForge.Credits;

/// <summary>
/// Feature usage over a range: totals, per feature and model, and a time series. Uses by unlimited (admin) users are
/// counted apart: they are in <see cref="UnlimitedUses"/> and <see cref="UnlimitedCreditsValue"/>, never in
/// <see cref="Uses"/> or <see cref="CreditsConsumed"/>.
/// </summary>
public sealed record CreditUsageReport
{
    /// <summary>The range asked for.</summary>
    public required CreditAnalyticsRange Range { get; init; }

    /// <summary>Paid-for uses (users who are not unlimited).</summary>
    public required long Uses { get; init; }

    /// <summary>Credits deducted by those uses.</summary>
    public required long CreditsConsumed { get; init; }

    /// <summary>Distinct users with at least one paid-for use.</summary>
    public required long ActiveUsers { get; init; }

    /// <summary>Consumption rate: <see cref="CreditsConsumed"/> divided by the range's length in days.</summary>
    public required double CreditsPerDay { get; init; }

    /// <summary>Uses by unlimited (admin) users: nothing deducted.</summary>
    public required long UnlimitedUses { get; init; }

    /// <summary>What the unlimited uses would have cost at the prices of the time.</summary>
    public required long UnlimitedCreditsValue { get; init; }

    /// <summary>Totals per feature and model, most credits first.</summary>
    public required IReadOnlyList<CreditFeatureUsage> Features { get; init; }

    /// <summary>One point per bucket, feature and model that had uses, oldest first.</summary>
    public required IReadOnlyList<CreditUsagePoint> Series { get; init; }
}
