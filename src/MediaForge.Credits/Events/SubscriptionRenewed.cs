namespace MediaForge.Credits.Events;

/// <summary>A subscription's period was paid and its allowance granted (raised by subscriptions, once per subscription and period).</summary>
public sealed class SubscriptionRenewed : CreditEvent
{
    /// <summary>The name on the wire: <c>subscription.renewed</c>.</summary>
    public const string TypeName = "subscription.renewed";

    /// <inheritdoc />
    public override string Type => TypeName;

    /// <summary>The subscription at the payment provider.</summary>
    // Stryker disable once String : equivalent: the only raiser (CreditSubscriptionGrants) sets it, and every payload carries it (Serialize writes every property; it is as old as the event)
    public string SubscriptionId { get; init; } = "";

    /// <summary>The plan.</summary>
    // Stryker disable once String : equivalent: the only raiser (CreditSubscriptionGrants) sets it, and every payload carries it (Serialize writes every property; it is as old as the event)
    public string PlanId { get; init; } = "";

    /// <summary>The credits of the period's allowance.</summary>
    public long Credits { get; init; }

    /// <summary>When the period ends.</summary>
    public DateTimeOffset PeriodEnd { get; init; }
}
