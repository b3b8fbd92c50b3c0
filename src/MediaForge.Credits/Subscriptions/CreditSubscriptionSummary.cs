namespace MediaForge.Credits;

/// <summary>A user's current subscription, as the balance shows it.</summary>
/// <param name="PlanId">The plan.</param>
/// <param name="PlanName">Its display name.</param>
/// <param name="Status">The subscription's state.</param>
/// <param name="CurrentPeriodEnd">When the current billing period ends (UTC), if known.</param>
/// <param name="CreditsPerPeriod">The plan's allowance per period.</param>
/// <param name="AllowanceLeft">Allowance credits (this period's, with what was carried over) not spent or expired yet.</param>
public sealed record CreditSubscriptionSummary(string PlanId, string PlanName, CreditSubscriptionStatus Status, DateTimeOffset? CurrentPeriodEnd,
    long CreditsPerPeriod, long AllowanceLeft);
