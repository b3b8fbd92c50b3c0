namespace MediaForge.Credits;

/// <summary>Usage of one feature with one model in one bucket of a time series.</summary>
public sealed record CreditUsagePoint
{
    /// <summary>The start of the bucket (UTC).</summary>
    public required DateTimeOffset Start { get; init; }

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
}
