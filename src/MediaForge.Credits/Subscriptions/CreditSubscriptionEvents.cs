namespace MediaForge.Credits.Subscriptions;

/// <summary>A paid (or failed) invoice of a subscription, as the provider reported it.</summary>
/// <param name="SubscriptionId">The provider's subscription id.</param>
/// <param name="CustomerId">The provider's customer id, if any.</param>
/// <param name="UserId">The user named by the metadata set at checkout, if the event carries it.</param>
/// <param name="EventCreated">The event's creation time (Unix seconds): orders state changes.</param>
/// <param name="BillingReason">The invoice's <c>billing_reason</c> (<c>subscription_create</c>, <c>subscription_cycle</c>, <c>subscription_update</c>...).</param>
/// <param name="Lines">Its subscription lines.</param>
internal sealed record CreditSubscriptionInvoice(string SubscriptionId, string? CustomerId, string? UserId, long EventCreated, string? BillingReason,
    IReadOnlyList<CreditInvoiceLine> Lines)
{
    /// <summary>An invoice for a plan change (a proration).</summary>
    public bool IsPlanChange => BillingReason == "subscription_update";

    /// <summary>Whether <paramref name="line"/> is a trial period's: a zero-amount line of the subscription's first invoice.</summary>
    public bool IsTrial(CreditInvoiceLine line) => line.Amount == 0 && BillingReason == "subscription_create";
}

/// <summary>One line of an invoice: the price billed and the period it covers.</summary>
/// <param name="PriceId">The provider's price id.</param>
/// <param name="PeriodStart">Start of the period (UTC).</param>
/// <param name="PeriodEnd">End of the period (UTC).</param>
/// <param name="Amount">The line's amount in minor units (0 for a trial; negative for unused time of a replaced price).</param>
internal readonly record struct CreditInvoiceLine(string PriceId, DateTime PeriodStart, DateTime PeriodEnd, long Amount);

/// <summary>A subscription's state as an event (<c>customer.subscription.created/updated/deleted</c>) reported it.</summary>
/// <param name="SubscriptionId">The provider's subscription id.</param>
/// <param name="CustomerId">The provider's customer id, if any.</param>
/// <param name="UserId">The user named by the metadata set at checkout, if any.</param>
/// <param name="EventCreated">The event's creation time (Unix seconds): an older state than the one applied changes nothing.</param>
/// <param name="PriceId">The price of its item, if any.</param>
/// <param name="Status">Its status.</param>
/// <param name="PeriodStart">Start of its current period (UTC), if known.</param>
/// <param name="PeriodEnd">End of its current period (UTC), if known.</param>
/// <param name="EndedAt">When it ended (UTC), for a deleted subscription.</param>
internal sealed record CreditSubscriptionState(string SubscriptionId, string? CustomerId, string? UserId, long EventCreated, string? PriceId,
    CreditSubscriptionStatus Status, DateTime? PeriodStart, DateTime? PeriodEnd, DateTime? EndedAt);

/// <summary>
/// An event of a subscription the library has never seen that does not name its user (no metadata from checkout):
/// nothing is recorded, so the provider delivers it again, by when the subscription's own event may have come.
/// </summary>
internal sealed class CreditSubscriptionUserUnknownException(string subscriptionId)
    : Exception($"Subscription '{subscriptionId}' is not known yet and the event names no user (metadata user_id).")
{
    /// <summary>The subscription.</summary>
    public string SubscriptionId { get; } = subscriptionId;
}
