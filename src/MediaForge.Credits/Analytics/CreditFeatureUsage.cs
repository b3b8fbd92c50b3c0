namespace MediaForge.Credits;

/// <summary>Usage of one feature with one model over a range.</summary>
public sealed record CreditFeatureUsage
{
    /// <summary>The feature (lower case).</summary>
    public required string Feature { get; init; }

    /// <summary>The model (lower case).</summary>
    public required string Model { get; init; }

    /// <summary>Paid-for uses.</summary>
    public required long Uses { get; init; }

    /// <summary>Credits deducted.</summary>
    public required long Credits { get; init; }

    /// <summary>Uses by unlimited (admin) users.</summary>
    public required long UnlimitedUses { get; init; }

    /// <summary>What the unlimited uses would have cost.</summary>
    public required long UnlimitedCreditsValue { get; init; }
}
