using MediaForge.Credits.Subscriptions;
using Stripe;

namespace MediaForge.Credits.AspNetCore.Stripe;

/// <summary>
/// The subscription events the webhook applies: <c>invoice.paid</c> (a period's allowance), <c>invoice.payment_failed</c>
/// (past due, nothing granted) and <c>customer.subscription.created/updated/deleted</c> (state, upgrades, the end).
/// Their objects are read from the signed body (<see cref="StripeSubscriptionPayload"/>), whatever the API version.
/// </summary>
internal static class StripeSubscriptionEvents
{
    private const string InvoicePaid = "invoice.paid";
    private const string InvoicePaymentFailed = "invoice.payment_failed";
    private const string SubscriptionCreated = "customer.subscription.created";
    private const string SubscriptionUpdated = "customer.subscription.updated";
    private const string SubscriptionDeleted = "customer.subscription.deleted";

    public static bool Handles(string type) =>
        type is InvoicePaid or InvoicePaymentFailed or SubscriptionCreated or SubscriptionUpdated or SubscriptionDeleted;

    /// <exception cref="FormatException">The object lacks what its type promises.</exception>
    public static async Task<string> ApplyAsync(CreditSubscriptions subscriptions, Event stripeEvent, string body, CancellationToken cancellationToken)
    {
        using var document = JsonDocument.Parse(body);
        if (!document.RootElement.TryGetProperty("data", out var data) || !data.TryGetProperty("object", out var target)
            || target.ValueKind != JsonValueKind.Object)
        {
            // Stryker disable once String : not reachable: StripeEventShape refuses an event without data.object first, and Stripe.net reads the same strict, case-sensitive JSON
            throw new FormatException("The event has no data.object.");
        }

        var created = new DateTimeOffset(DateTime.SpecifyKind(stripeEvent.Created, DateTimeKind.Utc)).ToUnixTimeSeconds();
        switch (stripeEvent.Type)
        {
            case InvoicePaid:
                return StripeSubscriptionPayload.Invoice(target, created) is { } invoice
                    ? await subscriptions.ApplyInvoicePaidAsync(invoice, cancellationToken).ConfigureAwait(false)
                    : "ignored_not_subscription";
            case InvoicePaymentFailed:
                return StripeSubscriptionPayload.SubscriptionOf(target) is { } subscription
                    ? await subscriptions.ApplyPaymentFailedAsync(subscription, created, cancellationToken).ConfigureAwait(false)
                    : "ignored_not_subscription";
            default:
                var state = StripeSubscriptionPayload.State(target, created, deleted: stripeEvent.Type == SubscriptionDeleted);
                return await subscriptions.ApplyStateAsync(state, cancellationToken).ConfigureAwait(false);
        }
    }
}
