namespace MediaForge.Credits;

/// <summary>One use of an AI feature as callers see it.</summary>
public sealed record CreditUsageEntry
{
    /// <summary>The usage log id.</summary>
    public required Guid Id { get; init; }

    /// <summary>The feature (lower case).</summary>
    public required string Feature { get; init; }

    /// <summary>The model (lower case).</summary>
    public required string Model { get; init; }

    /// <summary>Credits charged (0 for unlimited users).</summary>
    public required long CreditsUsed { get; init; }

    /// <summary>Whether the user was unlimited at the time.</summary>
    public required bool IsUnlimited { get; init; }

    /// <summary>The prompt, if one was passed.</summary>
    public string? Prompt { get; init; }

    /// <summary>Metadata as JSON, if any.</summary>
    public string? Metadata { get; init; }

    /// <summary>The ledger row of the charge, if any.</summary>
    public Guid? TransactionId { get; init; }

    /// <summary>When the feature was used.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>The caller's view of a stored row.</summary>
    internal static CreditUsageEntry From(UsageLog u) => new()
    {
        Id = u.Id,
        Feature = u.Feature,
        Model = u.Model,
        CreditsUsed = u.CreditsUsed,
        IsUnlimited = u.IsUnlimited,
        Prompt = u.Prompt,
        Metadata = u.Metadata,
        TransactionId = u.TransactionId,
        CreatedAt = CreditAttempts.Utc(u.CreatedAt),
    };
}
