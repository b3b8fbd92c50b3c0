using System.Security.Claims;
using MediaForge.Credits.AspNetCore.Clerk;
using MediaForge.Credits.AspNetCore.Stripe;
using MediaForge.Credits.AspNetCore;
using MediaForge.Credits;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the credit system's HTTP endpoints (minimal APIs, problem details, OpenAPI metadata).</summary>
public static class CreditsEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps every endpoint under <paramref name="prefix"/>: <c>/credits/*</c>, <c>/credits/referrals/*</c>, <c>/credits/gifts/*</c>, <c>/credits/teams/*</c>, <c>/credits/auto-top-up</c>, <c>/stripe/*</c> and
    /// <c>/webhooks/clerk</c> (with the default prefix, the seed's paths <c>/api/credits/balance</c>...). Each group can
    /// also be mapped alone with <see cref="MapCreditBalanceEndpoints"/>, <see cref="CreditReferralEndpointRouteBuilderExtensions.MapCreditReferralEndpoints"/>,
    /// <see cref="CreditGiftEndpointRouteBuilderExtensions.MapCreditGiftEndpoints"/>, <see cref="CreditTeamEndpointRouteBuilderExtensions.MapCreditTeamEndpoints"/>,
    /// <see cref="CreditAutoTopUpEndpointRouteBuilderExtensions.MapCreditAutoTopUpEndpoints"/>, <see cref="MapStripeEndpoints"/> and
    /// <see cref="MapClerkWebhook"/>.
    /// </summary>
    /// <param name="endpoints">The application's endpoints.</param>
    /// <param name="prefix">The common prefix. Default <c>/api</c>.</param>
    /// <returns>The group, for further conventions.</returns>
    public static RouteGroupBuilder MapCreditEndpoints(this IEndpointRouteBuilder endpoints, string prefix = "/api")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var group = endpoints.MapGroup(prefix);
        group.MapCreditBalanceEndpoints("/credits");
        group.MapCreditReferralEndpoints("/credits/referrals");
        group.MapCreditGiftEndpoints("/credits/gifts");
        group.MapCreditTeamEndpoints("/credits/teams");
        group.MapCreditAutoTopUpEndpoints("/credits/auto-top-up");
        group.MapStripeEndpoints("/stripe");
        group.MapClerkWebhook("/webhooks/clerk");
        return group;
    }

    /// <summary>
    /// Maps <c>GET balance</c>, <c>GET check?feature=&amp;model=</c>, <c>GET transactions</c>, <c>GET usage</c>,
    /// <c>GET purchases</c> (signed-in user only), <c>GET packages</c> and <c>GET packages/{id}/quote</c> (anonymous).
    /// </summary>
    /// <param name="endpoints">The application's endpoints.</param>
    /// <param name="prefix">The group's prefix. Default <c>/api/credits</c>.</param>
    /// <returns>The group.</returns>
    public static RouteGroupBuilder MapCreditBalanceEndpoints(this IEndpointRouteBuilder endpoints, string prefix = "/api/credits")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var group = endpoints.MapGroup(prefix).WithTags("Credits").WithMetadata(CreditsJsonEndpoint.Marker).AddEndpointFilter(CreditsJsonEndpoint.Filter);
        var user = group.MapGroup("").RequireAuthorization().ProducesCreditProblems(StatusCodes.Status401Unauthorized);

        user.MapGet("/balance", async Task<Results<Ok<CreditBalanceResponse>, ProblemHttpResult>> (
            ClaimsPrincipal principal, [FromServices] CreditUserAccessor users, [FromServices] ICreditService credits,
            [FromServices] IOptions<CreditsOptions> options, [FromServices] MediaForge.Credits.Subscriptions.CreditSubscriptions subscriptions, CancellationToken ct) =>
        {
            if (users.GetUserId(principal) is not { } userId)
            {
                return CreditProblems.NoUserId();
            }

            // The library's service answers whether the user has a plan from the balance read; a host's own ICreditService does not.
            (CreditBalance balance, bool? hasSubscription) = credits is MediaForge.Credits.Ledger.CreditService library
                ? await library.GetBalanceAndPlanAsync(userId, ct).ConfigureAwait(false)
                : (await credits.GetBalanceAsync(userId, ct).ConfigureAwait(false), null);
            var threshold = options.Value.Events.LowBalanceThreshold;
            var subscription = await subscriptions.GetSummaryAsync(userId, ct, hasSubscription).ConfigureAwait(false);
            return TypedResults.Ok(new CreditBalanceResponse(userId, balance.Balance, balance.Available, balance.IsUnlimited, balance.NextExpiration,
                balance.Categories, IsLowBalance: !balance.IsUnlimited && threshold > 0 && balance.Balance < threshold, Subscription: subscription));
        }).WithName("GetCreditBalance").WithSummary("The signed-in user's credit balance.");

        user.MapGet("/check", async Task<Results<Ok<CreditCheckResponse>, ProblemHttpResult>> (
            string? feature, string? model, ClaimsPrincipal principal,
            [FromServices] CreditUserAccessor users, [FromServices] ICreditService credits, CancellationToken ct) =>
        {
            if (users.GetUserId(principal) is not { } userId)
            {
                return CreditProblems.NoUserId();
            }

            if (string.IsNullOrWhiteSpace(feature) || string.IsNullOrWhiteSpace(model))
            {
                return CreditProblems.Create(StatusCodes.Status400BadRequest, "feature_and_model_required", "Both feature and model are required.");
            }

            if (feature.Length > MaxNameLength || model.Length > MaxNameLength)
            {
                return CreditProblems.Create(StatusCodes.Status400BadRequest, "invalid_feature", "The feature or model name is too long.",
                    $"Feature and model names have at most {MaxNameLength} characters.");
            }

            try
            {
                var check = await credits.CheckCreditsAsync(userId, feature, model, ct).ConfigureAwait(false);
                return TypedResults.Ok(new CreditCheckResponse(feature.Trim().ToLowerInvariant(), model.Trim().ToLowerInvariant(),
                    check.HasCredits, check.Required, check.Available, check.IsUnlimited));
            }
            catch (UnknownFeaturePricingException error)
            {
                return CreditProblems.UnknownFeature(error);
            }
        }).ProducesCreditProblems(StatusCodes.Status400BadRequest).WithName("CheckCredits").WithSummary("Whether the signed-in user can pay for one use of a feature with a model.");

        user.MapGet("/transactions", async Task<Results<Ok<CreditPage<CreditLedgerEntry>>, ProblemHttpResult>> (
            string? page, string? pageSize, ClaimsPrincipal principal, [FromServices] CreditUserAccessor users, [FromServices] ICreditService credits, CancellationToken ct) =>
            users.GetUserId(principal) is not { } userId ? CreditProblems.NoUserId()
            : await CreditPaging.QueryAsync(page, pageSize, (p, size) => credits.GetTransactionsAsync(userId, p, size, ct)).ConfigureAwait(false))
            .ProducesCreditProblems(StatusCodes.Status400BadRequest).WithName("GetCreditTransactions").WithSummary("The signed-in user's ledger, newest first.");

        user.MapGet("/usage", async Task<Results<Ok<CreditPage<CreditUsageEntry>>, ProblemHttpResult>> (
            string? page, string? pageSize, ClaimsPrincipal principal, [FromServices] CreditUserAccessor users, [FromServices] ICreditService credits, CancellationToken ct) =>
            users.GetUserId(principal) is not { } userId ? CreditProblems.NoUserId()
            : await CreditPaging.QueryAsync(page, pageSize, (p, size) => credits.GetUsageAsync(userId, p, size, ct)).ConfigureAwait(false))
            .ProducesCreditProblems(StatusCodes.Status400BadRequest).WithName("GetCreditUsage").WithSummary("The signed-in user's feature usage, newest first.");

        user.MapGet("/purchases", async Task<Results<Ok<CreditPage<CreditPurchaseEntry>>, ProblemHttpResult>> (
            string? page, string? pageSize, ClaimsPrincipal principal, [FromServices] CreditUserAccessor users, [FromServices] ICreditService credits, CancellationToken ct) =>
            users.GetUserId(principal) is not { } userId ? CreditProblems.NoUserId()
            : await CreditPaging.QueryAsync(page, pageSize, (p, size) => credits.GetPurchasesAsync(userId, p, size, ct)).ConfigureAwait(false))
            .ProducesCreditProblems(StatusCodes.Status400BadRequest).WithName("GetCreditPurchases").WithSummary("The signed-in user's purchases, newest first.");

        CreditPackageEndpoints.MapPackages(group);
        return group;
    }

    /// <summary>
    /// Maps <c>POST create-checkout-session</c> and <c>GET checkout-session/{id}</c> (signed-in user) and
    /// <c>POST webhook</c> (Stripe, signature-verified).
    /// </summary>
    /// <param name="endpoints">The application's endpoints.</param>
    /// <param name="prefix">The group's prefix. Default <c>/api/stripe</c>.</param>
    /// <returns>The group.</returns>
    public static RouteGroupBuilder MapStripeEndpoints(this IEndpointRouteBuilder endpoints, string prefix = "/api/stripe")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var group = endpoints.MapGroup(prefix).WithTags("Stripe").WithMetadata(CreditsJsonEndpoint.Marker);

        group.MapPost("/create-checkout-session", async Task<Results<Ok<CheckoutSessionResponse>, ProblemHttpResult>> (
            HttpRequest request, ClaimsPrincipal principal,
            [FromServices] CreditUserAccessor users, [FromServices] StripeCheckoutHandler checkout, [FromServices] StripeSubscriptionCheckout plans,
            CancellationToken ct) =>
        {
            if (users.GetUserId(principal) is not { } userId)
            {
                return CreditProblems.NoUserId();
            }

            var (body, problem) = await CreditsJsonBody.ReadAsync<CreateCheckoutSessionRequest>(request, ct).ConfigureAwait(false);
            if (problem is not null)
            {
                return problem;
            }

            if (body!.PlanId is { } planId)
            {
                return body.PackageId is not null || body.Gift || body.TeamId is not null || body.Quantity is not null || body.Credits is not null || body.SaveForAutoTopUp
                    ? CreditProblems.Create(StatusCodes.Status400BadRequest, "plan_with_package", "A plan is subscribed to alone.",
                        "Send either a planId or a packageId (with gift, teamId, quantity or credits), not both.")
                    : await plans.CreateSessionAsync(userId, planId, ct).ConfigureAwait(false);
            }

            return await checkout.CreateSessionAsync(userId, body.PackageId, body.Gift, body.TeamId, body.Quantity, body.Credits, ct, body.SaveForAutoTopUp).ConfigureAwait(false);
        })
            .AddEndpointFilter(CreditsJsonEndpoint.Filter)
            .AcceptsCreditJson<CreateCheckoutSessionRequest>()
            .ProducesCreditProblems(StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict,
                StatusCodes.Status422UnprocessableEntity, StatusCodes.Status502BadGateway, StatusCodes.Status503ServiceUnavailable)
            .RequireAuthorization().WithName("CreateCheckoutSession")
            .WithSummary("Starts Stripe Checkout for a package, for a paid package bought as a gift or for a team's wallet (or claims a free package directly).");

        group.MapGet("/checkout-session/{id}", async Task<Results<Ok<CheckoutStatusResponse>, ProblemHttpResult>> (
            string id, ClaimsPrincipal principal, [FromServices] CreditUserAccessor users, [FromServices] StripeCheckoutHandler checkout, CancellationToken ct) =>
            users.GetUserId(principal) is not { } userId
                ? CreditProblems.NoUserId()
                : await checkout.GetSessionAsync(userId, id, ct).ConfigureAwait(false))
            .AddEndpointFilter(CreditsJsonEndpoint.Filter)
            .ProducesCreditProblems(StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status404NotFound,
                StatusCodes.Status502BadGateway, StatusCodes.Status503ServiceUnavailable)
            .RequireAuthorization().WithName("GetCheckoutSession")
            .WithSummary("The status of the signed-in user's checkout session; fulfils it if Stripe says it is paid.");

        group.MapPost("/webhook", (HttpRequest request, [FromServices] StripeWebhookHandler webhook, CancellationToken ct) =>
                webhook.HandleAsync(request, ct))
            .ProducesWebhookProblems().AllowAnonymous().WithName("StripeWebhook").WithSummary("Receives Stripe events (signature-verified, processed once).");
        return group;
    }

    /// <summary>Maps the Clerk webhook (Svix-signed) at <paramref name="pattern"/>.</summary>
    /// <param name="endpoints">The application's endpoints.</param>
    /// <param name="pattern">The route. Default <c>/api/webhooks/clerk</c>.</param>
    /// <returns>The endpoint.</returns>
    public static RouteHandlerBuilder MapClerkWebhook(this IEndpointRouteBuilder endpoints, string pattern = "/api/webhooks/clerk")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        return endpoints.MapPost(pattern, (HttpRequest request, [FromServices] ClerkWebhookHandler webhook, CancellationToken ct) =>
                webhook.HandleAsync(request, ct))
            .ProducesWebhookProblems().AllowAnonymous().WithTags("Clerk").WithName("ClerkWebhook")
            .WithSummary("Receives Clerk user events (Svix-signed, processed once).");
    }

    /// <summary>The longest feature or model name (the ledger's column length).</summary>
    private const int MaxNameLength = 64;

}
