using Stripe;

namespace MediaForge.Credits.AspNetCore.Development;

/// <summary>
/// The development gateway's subscriptions: paying a subscription-mode checkout starts one (signed
/// <c>customer.subscription.created</c> and <c>invoice.paid</c> for its first month); its page renews it on demand (the
/// next month's <c>invoice.paid</c> and <c>customer.subscription.updated</c>), as Stripe would at the period's end.
/// </summary>
internal sealed class DevelopmentSubscriptionEndpoints(
    DevelopmentGatewayState state,
    DevelopmentCheckoutStore store,
    DevelopmentStripeEvents events,
    IOptions<CreditsDevelopmentOptions> options,
    TimeProvider time)
{
    public async Task<(bool Success, int Status, WebhookReceipt? Receipt)?> StartAsync(DevelopmentCheckoutSession session, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var subscription = new DevelopmentSubscription
        {
            Id = "sub_dev_" + Guid.NewGuid().ToString("N"),
            UserId = session.ClientReferenceId ?? session.Metadata.GetValueOrDefault("user_id") ?? "",
            PriceId = session.PriceId!,
            Metadata = session.Metadata,
            PeriodStart = now,
            PeriodEnd = now.AddMonths(1),
        };
        store.Add(subscription);
        session.SubscriptionId = subscription.Id;
        var created = await events.SendAsync(EventTypes.CustomerSubscriptionCreated, subscription.ToStripeJson("active"), cancellationToken).ConfigureAwait(false);
        return created is { Success: false } ? created
            : await events.SendAsync(EventTypes.InvoicePaid, subscription.ToInvoiceJson("subscription_create"), cancellationToken).ConfigureAwait(false);
    }

    public IResult List()
    {
        if (!state.IsActive)
        {
            return TypedResults.NotFound();
        }

        var basePath = options.Value.CheckoutPath.TrimEnd('/');
        return Html(StatusCodes.Status200OK, DevelopmentCheckoutPage.Subscriptions(store.Subscriptions, basePath));
    }

    public async Task<IResult> RenewAsync(string id, CancellationToken cancellationToken)
    {
        if (!state.IsActive || store.FindSubscription(id) is not { } subscription)
        {
            return TypedResults.NotFound();
        }

        lock (subscription)
        {
            (subscription.PeriodStart, subscription.PeriodEnd) = (subscription.PeriodEnd, subscription.PeriodEnd.AddMonths(1));
        }

        var paid = await events.SendAsync(EventTypes.InvoicePaid, subscription.ToInvoiceJson("subscription_cycle"), cancellationToken).ConfigureAwait(false);
        await events.SendAsync(EventTypes.CustomerSubscriptionUpdated, subscription.ToStripeJson("active"), cancellationToken).ConfigureAwait(false);
        return paid is { Success: true }
            ? TypedResults.Redirect(options.Value.CheckoutPath.TrimEnd('/') + "/subscriptions")
            : Html(StatusCodes.Status502BadGateway, DevelopmentCheckoutPage.Message("The app refused the renewal", "See the app's log."));
    }

    private static IResult Html(int status, string html) => TypedResults.Content(html, "text/html; charset=utf-8", statusCode: status);
}
