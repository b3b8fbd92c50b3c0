namespace MediaForge.Credits;

/// <summary>Subscription allowances (<see cref="CreditsOptions.Subscriptions"/>).</summary>
public sealed class CreditSubscriptionOptions
{
    /// <summary>When an upgrade's larger allowance is granted. Default: <see cref="CreditPlanUpgradePolicy.GrantDifference"/> at once.</summary>
    public CreditPlanUpgradePolicy UpgradePolicy { get; set; }

    /// <summary>
    /// How long past its period an allowance of a <see cref="CreditRolloverPolicy.Rollover"/> plan lasts, so that the
    /// renewal (Stripe pays a renewal invoice about an hour after the period starts, and retries a failed one for days)
    /// still finds it to carry over. Default 3 days; 0 to 30 days.
    /// </summary>
    public TimeSpan RenewalGrace { get; set; } = TimeSpan.FromDays(3);
}
