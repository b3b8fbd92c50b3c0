using MediaForge.Credits.Subscriptions;
using Stripe;
using Stripe.Checkout;

namespace MediaForge.Credits.AspNetCore.Stripe;

/// <summary>
/// Starts Stripe Checkout in subscription mode for a plan: the plan's own Stripe price (never the client's), the
/// user on the session's, the subscription's and so every invoice's metadata (<c>user_id</c>, <c>plan_id</c>) so that
/// any of its events, in any order, names its user; return URLs on the configured public address.
/// </summary>
internal sealed partial class StripeSubscriptionCheckout(
    StripeClientAccessor stripe,
    CreditSubscriptions subscriptions,
    IOptions<CreditsStripeOptions> options,
    CreditsPublicAddress address,
    TimeProvider time,
    ILogger<StripeSubscriptionCheckout> logger)
{
    /// <summary>The longest plan id (the plans' column length).</summary>
    private const int MaxPlanIdLength = 64;

    public async Task<Results<Ok<CheckoutSessionResponse>, ProblemHttpResult>> CreateSessionAsync(string userId, string planId, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(planId) || planId.Length > MaxPlanIdLength)
        {
            return CreditProblems.Create(StatusCodes.Status400BadRequest, "invalid_plan_id", "The planId is empty or too long.",
                $"Plan ids have 1 to {MaxPlanIdLength} characters.");
        }

        var plan = (await subscriptions.GetPlansAsync(cancellationToken).ConfigureAwait(false))
            .FirstOrDefault(p => string.Equals(p.Id, planId.Trim(), StringComparison.OrdinalIgnoreCase));
        if (plan is null)
        {
            return CreditProblems.Create(StatusCodes.Status404NotFound, "unknown_plan", "No such plan.", $"No active plan '{planId}'.");
        }

        if (await subscriptions.GetSummaryAsync(userId, cancellationToken).ConfigureAwait(false) is { Status: not CreditSubscriptionStatus.Canceled } current)
        {
            return CreditProblems.Create(StatusCodes.Status409Conflict, "already_subscribed", "You already have a subscription.",
                $"Your '{current.PlanId}' subscription is {current.Status.ToString().ToLowerInvariant()}: change it rather than starting another.");
        }

        if (stripe.Client is not { } client)
        {
            return CreditProblems.NotConfigured("Stripe (STRIPE_SECRET_KEY)");
        }

        var metadata = new Dictionary<string, string> { ["user_id"] = userId, ["plan_id"] = plan.Id };
        Session session;
        try
        {
            session = await new SessionService(client).CreateAsync(new SessionCreateOptions
            {
                Mode = "subscription",
                ClientReferenceId = userId,
                LineItems = [new SessionLineItemOptions { Price = plan.StripePriceId, Quantity = 1 }],
                Metadata = metadata,
                SubscriptionData = new SessionSubscriptionDataOptions { Metadata = new Dictionary<string, string>(metadata) },
                SuccessUrl = address.Absolute(options.Value.SuccessUrl),
                CancelUrl = address.Absolute(options.Value.CancelUrl),
            }, new RequestOptions { IdempotencyKey = $"mediaforge-subscribe-{userId}-{plan.Id}-{time.GetUtcNow().ToUnixTimeSeconds() / 60}" },
                cancellationToken).ConfigureAwait(false);
        }
        catch (StripeException error)
        {
            LogStripeFailure(userId, plan.Id, error.Message);
            return CreditProblems.Create(StatusCodes.Status502BadGateway, "payment_provider_error", "Stripe could not start the checkout.", error.Message);
        }

        return TypedResults.Ok(new CheckoutSessionResponse(session.Id, session.Url, Claimed: false, plan.CreditsPerPeriod, null));
    }

    [LoggerMessage(EventId = 2003, Level = LogLevel.Error, Message = "Stripe failed for {UserId} subscribing to {PlanId}: {Error}")]
    private partial void LogStripeFailure(string userId, string planId, string error);
}
