namespace MediaForge.Credits.Entities;

/// <summary>
/// One billing period of a subscription (table <c>credit_subscription_periods</c>, keyed by subscription and period end):
/// the allowance it is owed (<see cref="Target"/>, which only grows), whether it is paid, and what was granted. Grants
/// move <see cref="Granted"/> up to <see cref="Target"/> once paid, under the subscription's row lock, so each credit of a
/// period is granted once whatever the order and repetition of the events.
/// </summary>
internal sealed class CreditSubscriptionPeriodRow
{
    /// <summary>The subscription.</summary>
    public string SubscriptionId { get; set; } = "";

    /// <summary>End of the period (UTC): with the subscription, the period's identity.</summary>
    public DateTime PeriodEnd { get; set; }

    /// <summary>Start of the period (UTC).</summary>
    public DateTime PeriodStart { get; set; }

    /// <summary>The plan whose allowance is <see cref="Target"/>.</summary>
    public string PlanId { get; set; } = "";

    /// <summary>Credits the period is owed.</summary>
    public long Target { get; set; }

    /// <summary>Credits granted for the period so far (never more than <see cref="Target"/>).</summary>
    public long Granted { get; set; }

    /// <summary>Credits carried into the period from the earlier ones (rollover), moved when it was first granted.</summary>
    public long CarriedIn { get; set; }

    /// <summary>Whether an invoice of the period was paid.</summary>
    public bool Paid { get; set; }

    /// <summary>When the row was created (UTC).</summary>
    public DateTime CreatedAt { get; set; }

    /// <summary>When the row last changed (UTC).</summary>
    public DateTime UpdatedAt { get; set; }
}
