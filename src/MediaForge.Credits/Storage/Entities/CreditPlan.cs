namespace MediaForge.Credits.Entities;

/// <summary>
/// A subscription plan (table <c>credit_plans</c>, next to the packages): a Stripe price that grants
/// <see cref="CreditsPerPeriod"/> credits each paid billing period, as an allowance that expires with the period
/// (<see cref="CreditRolloverPolicy"/>).
/// </summary>
public sealed class CreditPlan
{
    /// <summary>Plan id (lower-case slug, for example <c>creator</c>), passed to checkout as <c>planId</c>.</summary>
    public string Id { get; set; } = "";

    /// <summary>Display name.</summary>
    public string Name { get; set; } = "";

    /// <summary>Short description.</summary>
    public string? Description { get; set; }

    /// <summary>The Stripe recurring price id (<c>price_...</c>) that checkout subscribes to and events name.</summary>
    public string StripePriceId { get; set; } = "";

    /// <summary>Credits granted for each paid billing period.</summary>
    public long CreditsPerPeriod { get; set; }

    /// <summary>What happens at renewal to the allowance not used in the period that ends.</summary>
    public CreditRolloverPolicy RolloverPolicy { get; set; }

    /// <summary>With <see cref="CreditRolloverPolicy.Rollover"/>: the most credits carried into the next period; <see langword="null"/>: no cap.</summary>
    public long? RolloverCap { get; set; }

    /// <summary>Credits granted for a trial period (a zero-amount first invoice); <see langword="null"/> or 0: none.</summary>
    public long? TrialCredits { get; set; }

    /// <summary>The price per period in minor units, for display (Stripe charges the price <see cref="StripePriceId"/>).</summary>
    public long PriceCents { get; set; }

    /// <summary>ISO currency code, lower case, for display.</summary>
    public string Currency { get; set; } = "usd";

    /// <summary>The billing interval for display, for example <c>month</c>.</summary>
    public string Interval { get; set; } = "month";

    /// <summary>Whether new subscriptions may start (existing ones keep being granted).</summary>
    public bool IsActive { get; set; } = true;

    /// <summary>Display order.</summary>
    public int SortOrder { get; set; }

    /// <summary>When the row was created (UTC).</summary>
    public DateTime CreatedAt { get; set; }

    /// <summary>When the row last changed (UTC).</summary>
    public DateTime UpdatedAt { get; set; }
}
