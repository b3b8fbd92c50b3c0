namespace MediaForge.Credits.Entities;

/// <summary>
/// One subscription (table <c>credit_subscriptions</c>), keyed by the provider's subscription id. Every event of the
/// subscription first locks this row, so its events are applied one at a time. Internal: hosts read it through the
/// balance (<see cref="CreditSubscriptionSummary"/>).
/// </summary>
internal sealed class CreditSubscriptionRow
{
    /// <summary>The provider's subscription id (<c>sub_...</c>).</summary>
    public string Id { get; set; } = "";

    /// <summary>The account the allowance goes to (fixed when the row is made, from the metadata set at checkout).</summary>
    public string UserId { get; set; } = "";

    /// <summary>The provider's customer id, if known.</summary>
    public string? CustomerId { get; set; }

    /// <summary>The plan of the latest state applied.</summary>
    public string PlanId { get; set; } = "";

    /// <summary>The latest state applied.</summary>
    public CreditSubscriptionStatus Status { get; set; }

    /// <summary>Start of the latest billing period known (UTC).</summary>
    public DateTime? CurrentPeriodStart { get; set; }

    /// <summary>End of the latest billing period known (UTC).</summary>
    public DateTime? CurrentPeriodEnd { get; set; }

    /// <summary>When it ended (UTC): no period starting then or later is granted.</summary>
    public DateTime? EndedAt { get; set; }

    /// <summary>The provider's creation time (Unix seconds) of the event whose state was applied last: an older one changes no state.</summary>
    public long SourceVersion { get; set; }

    /// <summary>When the row was created (UTC).</summary>
    public DateTime CreatedAt { get; set; }

    /// <summary>When the row last changed (UTC).</summary>
    public DateTime UpdatedAt { get; set; }
}
