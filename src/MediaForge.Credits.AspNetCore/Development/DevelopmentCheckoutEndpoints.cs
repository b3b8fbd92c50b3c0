using Stripe;

namespace MediaForge.Credits.AspNetCore.Development;

/// <summary>
/// The test checkout's pages: show a session, Pay (mark it paid, send a signed <c>checkout.session.completed</c>
/// through the host's real Stripe webhook endpoint, then go to the success URL) and Cancel (go to the cancel URL).
/// </summary>
internal sealed partial class DevelopmentCheckoutEndpoints(
    DevelopmentGatewayState state,
    DevelopmentCheckoutStore store,
    DevelopmentStripeEvents events,
    DevelopmentSubscriptionEndpoints subscriptions,
    DevelopmentOffSessionCharges cards,
    IOptions<CreditsDevelopmentOptions> options,
    ILogger<DevelopmentCheckoutEndpoints> logger)
{
    public IResult Show(string id) =>
        Find(id) is { } session
            ? Html(StatusCodes.Status200OK, DevelopmentCheckoutPage.Render(session, options.Value.CheckoutPath))
            : NotFound();

    public IResult Cancel(string id) =>
        Find(id) is { } session ? TypedResults.Redirect(session.CancelUrl) : NotFound();

    public async Task<IResult> PayAsync(string id, CancellationToken cancellationToken)
    {
        if (Find(id) is not { } session)
        {
            return NotFound();
        }

        var successUrl = session.SuccessUrl.Replace("{CHECKOUT_SESSION_ID}", Uri.EscapeDataString(session.Id), StringComparison.Ordinal);
        if (!store.TryMarkPaid(session))
        {
            return TypedResults.Redirect(successUrl);
        }

        var delivery = session.Mode == "subscription"
            ? await subscriptions.StartAsync(session, cancellationToken).ConfigureAwait(false)
            : await events.SendAsync(EventTypes.CheckoutSessionCompleted, session.ToStripeJson(), cancellationToken).ConfigureAwait(false);
        if (delivery is not { } result)
        {
            return Html(StatusCodes.Status503ServiceUnavailable, DevelopmentCheckoutPage.Message("Webhook secret missing",
                "No Stripe webhook secret is configured (STRIPE_WEBHOOK_SECRET), so the payment cannot be reported to the app."));
        }

        if (!result.Success)
        {
            // The status only: the answer's body stays out of the page (and out of the log).
            LogWebhookFailed(session.Id, result.Status);
            return Html(StatusCodes.Status502BadGateway, DevelopmentCheckoutPage.Message("The app refused the payment webhook",
                $"{options.Value.StripeWebhookPath} answered HTTP {result.Status}; see the app's log."));
        }

        await cards.SaveCardAsync(session, cancellationToken).ConfigureAwait(false);
        LogPaid(session.Id, session.AmountTotal, session.Currency, result.Receipt?.Outcome);
        return TypedResults.Redirect(successUrl);
    }

    private DevelopmentCheckoutSession? Find(string id) => state.IsActive ? store.Find(id) : null;

    private static IResult NotFound() => Html(StatusCodes.Status404NotFound,
        DevelopmentCheckoutPage.Message("No such checkout", "This test checkout session does not exist (sessions last until the app restarts)."));

    private static IResult Html(int status, string html) => TypedResults.Content(html, "text/html; charset=utf-8", statusCode: status);

    [LoggerMessage(EventId = 2303, Level = LogLevel.Information,
        Message = "Development checkout {SessionId} paid ({Amount} {Currency}); webhook outcome: {Outcome}")]
    private partial void LogPaid(string sessionId, long amount, string currency, string? outcome);

    [LoggerMessage(EventId = 2304, Level = LogLevel.Error,
        Message = "Development checkout {SessionId}: the Stripe webhook answered {Status} (its own log says why)")]
    private partial void LogWebhookFailed(string sessionId, int status);
}
