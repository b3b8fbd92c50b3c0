using MediaForge.Credits.Subscriptions;
using MediaForge.Credits.Telemetry;
using Stripe.Checkout;
using Stripe;

namespace MediaForge.Credits.AspNetCore.Stripe;

/// <summary>
/// <c>POST /api/stripe/webhook</c>: verifies the <c>Stripe-Signature</c> first (nothing changes on a bad one), then
/// processes the event exactly once. Paid sessions complete their purchase (exactly one grant, checked against the
/// pending purchase); failed payments and expired sessions are recorded; other event types are acknowledged and ignored.
/// </summary>
internal sealed partial class StripeWebhookHandler(
    WebhookEventRecorder recorder,
    ICreditPurchaseService purchases,
    CreditSubscriptions subscriptions,
    MediaForge.Credits.TopUps.CreditAutoTopUps autoTopUps,
    MediaForge.Credits.TopUps.CreditTopUpCharges topUps,
    IOptions<CreditsStripeOptions> options,
    IOptions<CreditsHttpOptions> http,
    TimeProvider time,
    CreditsTelemetry telemetry,
    ILogger<StripeWebhookHandler> logger)
{
    public async Task<Results<Ok<WebhookReceipt>, ProblemHttpResult>> HandleAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        using var activity = telemetry.StartWebhook("stripe");
        var secret = options.Value.WebhookSecret;
        var (body, problem) = await WebhookBody.ReadSignedAsync(request, secret, "The Stripe webhook secret (STRIPE_WEBHOOK_SECRET)", http.Value.MaxWebhookBodyBytes, cancellationToken).ConfigureAwait(false);
        if (body is null)
        {
            return problem!;
        }

        var signature = request.Headers["Stripe-Signature"].ToString();
        if (signature.Length == 0)
        {
            LogRejected("missing Stripe-Signature header");
            telemetry.WebhookRejected("stripe", "invalid_signature");
            return CreditProblems.InvalidSignature("The Stripe-Signature header is missing.");
        }

        Event stripeEvent;
        try
        {
            stripeEvent = EventUtility.ConstructEvent(body, signature, secret, (long)options.Value.WebhookTolerance.TotalSeconds,
                time.GetUtcNow().ToUnixTimeSeconds(), options.Value.ThrowOnApiVersionMismatch);
        }
        catch (StripeException error)
        {
            LogRejected(error.Message);
            telemetry.WebhookRejected("stripe", "invalid_signature");
            return CreditProblems.InvalidSignature(error.Message);
        }
        catch (Exception error) when (error is JsonException or InvalidOperationException or ArgumentException or InvalidCastException or FormatException)
        {
            return Refuse("malformed_payload", "The webhook body is not a Stripe event.", "malformed JSON: " + error.Message);
        }

        if (StripeEventShape.Problem(stripeEvent) is { } shape)
        {
            return Refuse("malformed_event", "The Stripe event cannot be applied.", shape);
        }

        string? outcome;
        try
        {
            outcome = await recorder.ProcessOnceAsync("stripe", stripeEvent.Id, stripeEvent.Type,
                ct => ApplyAsync(stripeEvent, body, ct), cancellationToken).ConfigureAwait(false);
        }
        catch (CreditSubscriptionUserUnknownException error)
        {
            // Nothing recorded: Stripe delivers it again, by when the subscription's own event (with its user) may have come.
            LogRejected(error.Message);
            telemetry.WebhookRejected("stripe", "subscription_user_unknown");
            return CreditProblems.Create(StatusCodes.Status409Conflict, "subscription_user_unknown", "The subscription's user is not known yet.", error.Message);
        }
        catch (Exception error) when (error is ArgumentException or FormatException)
        {
            // The core refused a value of the event; its transaction rolled back, so nothing (not even the event row) was written.
            return Refuse("malformed_event", "The Stripe event cannot be applied.", error.Message);
        }

        LogProcessed(stripeEvent.Id, stripeEvent.Type, outcome ?? "duplicate");
        telemetry.WebhookHandled("stripe", stripeEvent.Type, outcome);
        return TypedResults.Ok(new WebhookReceipt(true, outcome is null, outcome));
    }

    private async Task<string> ApplyAsync(Event stripeEvent, string body, CancellationToken cancellationToken)
    {
        if (StripeSubscriptionEvents.Handles(stripeEvent.Type))
        {
            return await StripeSubscriptionEvents.ApplyAsync(subscriptions, stripeEvent, body, cancellationToken).ConfigureAwait(false);
        }

        switch (stripeEvent.Type)
        {
            case EventTypes.CheckoutSessionCompleted:
            case EventTypes.CheckoutSessionAsyncPaymentSucceeded:
                var session = (Session)stripeEvent.Data.Object;
                if (session.PaymentStatus != "paid")
                {
                    return "awaiting_payment";
                }

                if (!StripeCheckoutVolume.TryReadClaim(session.Metadata, out var credits, out var quantity))
                {
                    return "mismatch: the session's metadata credits or quantity is not a number";
                }

                var fulfilment = await purchases.CompletePurchaseAsync(session.Id, session.AmountTotal ?? 0, session.Currency ?? "",
                    session.Metadata?.GetValueOrDefault("package_id"), session.PaymentIntentId, credits, quantity, cancellationToken).ConfigureAwait(false);
                return fulfilment.Outcome switch
                {
                    PurchaseFulfilmentOutcome.Completed => "completed",
                    PurchaseFulfilmentOutcome.AlreadyCompleted => "already_completed",
                    PurchaseFulfilmentOutcome.NotFound => "unknown_session",
                    _ => "mismatch: " + fulfilment.Detail,
                };

            case EventTypes.CheckoutSessionAsyncPaymentFailed:
                var failedSession = (Session)stripeEvent.Data.Object;
                return await FailAsync(failedSession.Metadata, "The asynchronous payment failed.", failedSession.PaymentIntentId, cancellationToken).ConfigureAwait(false);

            case EventTypes.PaymentIntentSucceeded:
                return await StripeTopUpEvents.SucceededAsync(autoTopUps, topUps, (PaymentIntent)stripeEvent.Data.Object, cancellationToken).ConfigureAwait(false);

            case EventTypes.PaymentIntentPaymentFailed:
                var intent = (PaymentIntent)stripeEvent.Data.Object;
                if (await StripeTopUpEvents.FailedAsync(topUps, intent, cancellationToken).ConfigureAwait(false) is { } topUpOutcome)
                {
                    return topUpOutcome;
                }

                return await FailAsync(intent.Metadata, intent.LastPaymentError?.Message ?? "The payment failed.", intent.Id, cancellationToken).ConfigureAwait(false);

            case EventTypes.CheckoutSessionExpired:
                var expired = (Session)stripeEvent.Data.Object;
                return await purchases.ExpirePurchaseAsync(expired.Id, cancellationToken).ConfigureAwait(false) ? "expired" : "no_pending_purchase";

            case EventTypes.ChargeRefunded:
                var charge = (Charge)stripeEvent.Data.Object;
                if (string.IsNullOrEmpty(charge.PaymentIntentId))
                {
                    return "ignored_no_payment";
                }

                var refund = await purchases.RecordRefundAsync(charge.PaymentIntentId, charge.AmountRefunded, cancellationToken).ConfigureAwait(false);
                return refund.Found ? $"refunded: {refund.CreditsRemoved} removed, {refund.Shortfall} already spent" : "unknown_payment";

            case EventTypes.ChargeDisputeCreated:
            case EventTypes.ChargeDisputeUpdated:
            case EventTypes.ChargeDisputeClosed:
                var dispute = (Dispute)stripeEvent.Data.Object;
                if (string.IsNullOrEmpty(dispute.PaymentIntentId))
                {
                    return "ignored_no_payment";
                }

                var state = dispute.Status switch
                {
                    "won" or "warning_closed" => PaymentDisputeState.Won,
                    "lost" => PaymentDisputeState.Lost,
                    _ => PaymentDisputeState.Open,
                };
                var reversal = await purchases.RecordDisputeAsync(dispute.PaymentIntentId, dispute.Id, dispute.Amount, state, cancellationToken).ConfigureAwait(false);
                return reversal.Found
                    ? $"dispute {state.ToString().ToLowerInvariant()}: {reversal.CreditsRemoved} removed, {reversal.CreditsRestored} restored"
                    : "unknown_payment";

            default:
                return "ignored";
        }
    }

    private ProblemHttpResult Refuse(string code, string title, string reason)
    {
        LogRejected(reason);
        telemetry.WebhookRejected("stripe", code);
        return CreditProblems.Create(StatusCodes.Status400BadRequest, code, title, reason);
    }

    private async Task<string> FailAsync(Dictionary<string, string>? metadata, string reason, string? paymentId, CancellationToken cancellationToken)
    {
        if (metadata?.GetValueOrDefault("purchase_id") is not { } value || !Guid.TryParse(value, out var purchaseId))
        {
            return "ignored_no_purchase";
        }

        return await purchases.FailPurchaseAsync(purchaseId, reason, paymentId, cancellationToken).ConfigureAwait(false) ? "failed" : "no_pending_purchase";
    }

    [LoggerMessage(EventId = 2101, Level = LogLevel.Warning, Message = "Stripe webhook rejected: {Reason}")]
    private partial void LogRejected(string reason);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Information, Message = "Stripe event {EventId} ({Type}): {Outcome}")]
    private partial void LogProcessed(string eventId, string type, string outcome);
}
