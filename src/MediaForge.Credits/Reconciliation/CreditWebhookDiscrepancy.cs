namespace MediaForge.Credits;

/// <summary>A processed payment event whose outcome was not a fulfilled purchase.</summary>
public sealed record CreditWebhookDiscrepancy
{
    /// <summary>The provider (<c>stripe</c>).</summary>
    public required string Provider { get; init; }

    /// <summary>The provider's event id (look it up in the provider's dashboard).</summary>
    public required string EventId { get; init; }

    /// <summary>The event type.</summary>
    public required string Type { get; init; }

    /// <summary>The recorded outcome (for example <c>unknown_session</c> or <c>mismatch: ...</c>).</summary>
    public required string Outcome { get; init; }

    /// <summary>When it was processed.</summary>
    public required DateTimeOffset ProcessedAt { get; init; }
}
