using MediaForge.Credits.Storage.Configurations;
using MediaForge.Credits.Teams;
using System.Security.Claims;
using MediaForge.Credits.AspNetCore;
using MediaForge.Credits;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the operators' endpoints: analytics, any user's history, CSV exports and reconciliation (admin policy).</summary>
public static class CreditsAdminEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps, under <paramref name="prefix"/> and behind <see cref="CreditsHttpOptions.AdminPolicy"/>:
    /// <c>GET analytics/usage</c>, <c>analytics/top-users</c>, <c>analytics/consumption</c>, <c>analytics/purchases</c>, <c>analytics/referrals</c>
    /// (query <c>from</c>, <c>to</c> as ISO 8601, default the last 30 days; <c>bucket</c> = hour, day, week or month),
    /// <c>GET teams/{teamId}/activity</c> (same query; 404 while teams are off), <c>GET users/{userId}/balance</c>, <c>users/{userId}/transactions</c>, <c>users/{userId}/usage</c> (paged),
    /// <c>POST users/{userId}/adjustments</c> (<c>{ amount, reason, idempotencyKey }</c>; the admin is recorded as actor),
    /// <c>GET export/transactions.csv</c> and <c>export/usage.csv</c> (streamed), <c>GET reconciliation</c> (report only)
    /// and <c>POST reconciliation/repair</c> (repairs missing grants).
    /// </summary>
    /// <param name="endpoints">The application's endpoints.</param>
    /// <param name="prefix">The group's prefix. Default <c>/api/credits/admin</c>.</param>
    /// <returns>The group, for further conventions.</returns>
    public static RouteGroupBuilder MapCreditsAdminEndpoints(this IEndpointRouteBuilder endpoints, string prefix = "/api/credits/admin")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var group = endpoints.MapGroup(prefix).WithTags("Credits admin").RequireAuthorization(CreditsHttpOptions.AdminPolicy)
            .WithMetadata(CreditsJsonEndpoint.Marker).AddEndpointFilter(CreditsJsonEndpoint.Filter)
            .ProducesCreditProblems(StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden);
        var users = group.MapGroup("/users/{userId}").AddEndpointFilter(RefuseLongUserId).ProducesCreditProblems(StatusCodes.Status400BadRequest);

        group.MapGet("/analytics/usage", (
            string? from, string? to, string? bucket, [FromServices] ICreditAnalytics analytics, [FromServices] TimeProvider time, CancellationToken ct) =>
            WithRangeAsync(from, to, bucket, time, range => analytics.GetUsageAsync(range, ct)))
            .ProducesCreditProblems(StatusCodes.Status400BadRequest).WithName("GetCreditUsageAnalytics").WithSummary("Uses and credits by feature and model over time; unlimited uses apart.");

        group.MapGet("/analytics/top-users", async Task<Results<Ok<IReadOnlyList<CreditTopUser>>, ProblemHttpResult>> (
            string? from, string? to, string? limit, [FromServices] ICreditAnalytics analytics, [FromServices] TimeProvider time, CancellationToken ct) =>
        {
            var parsed = AdminRange.Parse(from, to, null, time);
            if (parsed.Problem is { } problem)
            {
                return problem;
            }

            var top = 10;
            if (limit is not null && (limit.Length > 4 || !int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out top) || top is < 1 or > 1000))
            {
                return CreditProblems.Create(StatusCodes.Status400BadRequest, "invalid_limit", "limit must be from 1 to 1000.");
            }

            return TypedResults.Ok(await analytics.GetTopUsersAsync(parsed.Range!, top, ct).ConfigureAwait(false));
        }).ProducesCreditProblems(StatusCodes.Status400BadRequest).WithName("GetCreditTopUsers").WithSummary("The users who consumed the most credits.");

        group.MapGet("/analytics/consumption", (
            string? from, string? to, [FromServices] ICreditAnalytics analytics, [FromServices] TimeProvider time, CancellationToken ct) =>
            WithRangeAsync(from, to, null, time, range => analytics.GetConsumptionSplitAsync(range, ct)))
            .ProducesCreditProblems(StatusCodes.Status400BadRequest).WithName("GetCreditConsumptionSplit").WithSummary("Free versus paid credits consumed.");

        group.MapGet("/analytics/purchases", (
            string? from, string? to, string? bucket, [FromServices] ICreditAnalytics analytics, [FromServices] TimeProvider time, CancellationToken ct) =>
            WithRangeAsync(from, to, bucket, time, range => analytics.GetPurchasesAsync(range, ct)))
            .ProducesCreditProblems(StatusCodes.Status400BadRequest).WithName("GetCreditPurchaseAnalytics").WithSummary("Checkout conversion, failed and expired payments, refunds, revenue and package popularity.");

        group.MapGet("/analytics/referrals", (
            string? from, string? to, [FromServices] ICreditReferralService referrals, [FromServices] TimeProvider time, CancellationToken ct) =>
            WithRangeAsync(from, to, null, time, range => referrals.GetFunnelAsync(range, ct)))
            .ProducesCreditProblems(StatusCodes.Status400BadRequest).WithName("GetCreditReferralFunnel").WithSummary("Referral codes created, referrals attached, qualified, rewarded and clawed back in the range.");

        group.MapGet("/teams/{teamId}/activity", async Task<Results<Ok<CreditTeamActivityReport>, ProblemHttpResult>> (
            string teamId, string? from, string? to, string? bucket, [FromServices] CreditTeamActivity activity, [FromServices] IOptions<CreditsOptions> options,
            [FromServices] TimeProvider time, CancellationToken ct) =>
        {
            var parsed = AdminRange.Parse(from, to, bucket, time);
            return !options.Value.Teams.Enabled ? CreditTeamProblems.Disabled()
                : parsed.Problem is { } problem ? problem
                : CreditTeamProblems.IsTeamId(teamId) && await activity.ReadAsync(teamId, parsed.Range!, ct).ConfigureAwait(false) is { } report ? TypedResults.Ok(report)
                : CreditProblems.Create(StatusCodes.Status404NotFound, "team_not_found", "No team has this id.");
        }).ProducesCreditProblems(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound).WithName("GetCreditTeamActivity")
            .WithSummary("A team's wallet, members (spend this period, limits, credits bought for the team), spend per feature and credits in and out over time.");

        users.MapGet("/balance", async Task<Ok<CreditBalance>> (string userId, [FromServices] ICreditService credits, CancellationToken ct) =>
                TypedResults.Ok(await credits.GetBalanceAsync(userId, ct).ConfigureAwait(false)))
            .WithName("GetUserCreditBalance").WithSummary("Any user's balance.");

        users.MapPost("/adjustments", async Task<Results<Ok<CreditAdjustmentResult>, ProblemHttpResult>> (
            string userId, HttpRequest request, ClaimsPrincipal principal,
            [FromServices] CreditUserAccessor accessor, [FromServices] ICreditService credits, CancellationToken ct) =>
        {
            var (body, problem) = await CreditsJsonBody.ReadAsync<CreditAdjustmentRequest>(request, ct).ConfigureAwait(false);
            if (problem is not null)
            {
                return problem;
            }

            if (body is not { Amount: not 0 } || string.IsNullOrWhiteSpace(body.Reason) || body.Reason.Length > MaxReasonLength)
            {
                return CreditProblems.Create(StatusCodes.Status400BadRequest, "invalid_adjustment",
                    $"An adjustment needs a non-zero amount and a reason of at most {MaxReasonLength} characters.");
            }

            var actor = accessor.GetUserId(principal) ?? principal.Identity?.Name ?? "admin";
            var result = await credits.AdjustCreditsAsync(userId, body.Amount, body.Reason, actor, body.IdempotencyKey, ct).ConfigureAwait(false);
            return result.Success
                ? TypedResults.Ok(result)
                : CreditProblems.Create(StatusCodes.Status409Conflict, result.Error == CreditDeductionError.InsufficientCredits ? "insufficient_credits" : "idempotency_key_conflict",
                    "The adjustment was not applied.", $"Balance {result.Balance}; nothing was written.");
        }).AcceptsCreditJson<CreditAdjustmentRequest>().ProducesCreditProblems(StatusCodes.Status409Conflict).WithName("AdjustUserCredits").WithSummary("An operator's correction of a user's credits (+/-), recorded with the admin as actor.");

        users.MapGet("/transactions", (string userId, string? page, string? pageSize, [FromServices] ICreditService credits, CancellationToken ct) =>
                CreditPaging.QueryAsync(page, pageSize, (p, size) => credits.GetTransactionsAsync(userId, p, size, ct)))
            .WithName("GetUserCreditTransactions").WithSummary("Any user's ledger, newest first.");

        users.MapGet("/usage", (string userId, string? page, string? pageSize, [FromServices] ICreditService credits, CancellationToken ct) =>
                CreditPaging.QueryAsync(page, pageSize, (p, size) => credits.GetUsageAsync(userId, p, size, ct)))
            .WithName("GetUserCreditUsage").WithSummary("Any user's feature usage, newest first.");

        group.MapGet("/export/transactions.csv", (string? from, string? to, [FromServices] ICreditAnalytics analytics, [FromServices] TimeProvider time, CancellationToken ct) =>
                CsvExport(from, to, time, "credit-transactions.csv", (stream, range) => CreditsCsvExport.WriteTransactionsAsync(stream, analytics.StreamTransactionsAsync(range, ct))))
            .Produces<string>(StatusCodes.Status200OK, "text/csv").ProducesCreditProblems(StatusCodes.Status400BadRequest).WithName("ExportCreditTransactions").WithSummary("The ledger rows of a time range as CSV, streamed.");

        group.MapGet("/export/usage.csv", (string? from, string? to, [FromServices] ICreditAnalytics analytics, [FromServices] TimeProvider time, CancellationToken ct) =>
                CsvExport(from, to, time, "credit-usage.csv", (stream, range) => CreditsCsvExport.WriteUsageAsync(stream, analytics.StreamUsageAsync(range, ct))))
            .Produces<string>(StatusCodes.Status200OK, "text/csv").ProducesCreditProblems(StatusCodes.Status400BadRequest).WithName("ExportCreditUsage").WithSummary("The usage logs of a time range as CSV (prompts left out), streamed.");

        group.MapGet("/reconciliation", async Task<Ok<CreditReconciliationReport>> ([FromServices] ICreditReconciliation reconciliation, CancellationToken ct) =>
                TypedResults.Ok(await reconciliation.ReconcileAsync(repairMissingGrants: false, ct).ConfigureAwait(false)))
            .WithName("ReconcileCredits").WithSummary("Checks balances against the ledger, purchases against grants and paid events against purchases.");

        group.MapPost("/reconciliation/repair", async Task<Ok<CreditReconciliationReport>> ([FromServices] ICreditReconciliation reconciliation, CancellationToken ct) =>
                TypedResults.Ok(await reconciliation.ReconcileAsync(repairMissingGrants: true, ct).ConfigureAwait(false)))
            .WithName("RepairCredits").WithSummary("Reconciles and grants the credits of completed purchases that have no grant (idempotent).");

        return group;
    }

    private static async Task<Results<Ok<T>, ProblemHttpResult>> WithRangeAsync<T>(string? from, string? to, string? bucket, TimeProvider time,
        Func<CreditAnalyticsRange, Task<T>> query)
    {
        var parsed = AdminRange.Parse(from, to, bucket, time);
        return parsed.Problem is { } problem ? problem : TypedResults.Ok(await query(parsed.Range!).ConfigureAwait(false));
    }

    /// <summary>A time range's rows as a streamed CSV download named <paramref name="fileName"/>, or the range's problem.</summary>
    private static Results<PushStreamHttpResult, ProblemHttpResult> CsvExport(string? from, string? to, TimeProvider time, string fileName,
        Func<Stream, CreditAnalyticsRange, Task> write)
    {
        var parsed = AdminRange.Parse(from, to, null, time);
        return parsed.Problem is { } problem
            ? problem
            : TypedResults.Stream(stream => write(stream, parsed.Range!), "text/csv; charset=utf-8", fileName);
    }

    /// <summary>The longest adjustment reason (the ledger's description length).</summary>
    private const int MaxReasonLength = CreditsModelLimits.Description;

    /// <summary>The longest user id (the model's user id length).</summary>
    private const int MaxUserIdLength = CreditLimits.MaxUserIdLength;

    private static async ValueTask<object?> RefuseLongUserId(EndpointFilterInvocationContext context, EndpointFilterDelegate next) =>
        context.HttpContext.Request.RouteValues["userId"] is string { Length: > 0 and <= MaxUserIdLength }
            ? await next(context).ConfigureAwait(false)
            : CreditProblems.Create(StatusCodes.Status400BadRequest, "invalid_user_id", "The user id is invalid.",
                $"User ids have 1 to {MaxUserIdLength} characters.");
}
