using MediaForge.Credits;
using MediaForge.Credits.AspNetCore;
using MediaForge.Credits.AspNetCore.Internal;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using System.Security.Claims;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the operators' endpoints: analytics, any user's history, CSV exports and reconciliation (admin policy).</summary>
public static class CreditsAdminEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps, under <paramref name="prefix"/> and behind <see cref="CreditsHttpOptions.AdminPolicy"/>:
    /// <c>GET analytics/usage</c>, <c>analytics/top-users</c>, <c>analytics/consumption</c>, <c>analytics/purchases</c>
    /// (query <c>from</c>, <c>to</c> as ISO 8601, default the last 30 days; <c>bucket</c> = hour, day, week or month),
    /// <c>GET users/{userId}/balance</c>, <c>users/{userId}/transactions</c>, <c>users/{userId}/usage</c> (paged),
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
        var group = endpoints.MapGroup(prefix).WithTags("Credits admin").RequireAuthorization(CreditsHttpOptions.AdminPolicy);

        group.MapGet("/analytics/usage", (
            string? from, string? to, string? bucket, [FromServices] ICreditAnalytics analytics, [FromServices] TimeProvider time, CancellationToken ct) =>
            WithRangeAsync(from, to, bucket, time, range => analytics.GetUsageAsync(range, ct)))
            .WithName("GetCreditUsageAnalytics").WithSummary("Uses and credits by feature and model over time; unlimited uses apart.");

        group.MapGet("/analytics/top-users", async Task<Results<Ok<IReadOnlyList<CreditTopUser>>, ProblemHttpResult>> (
            string? from, string? to, int? limit, [FromServices] ICreditAnalytics analytics, [FromServices] TimeProvider time, CancellationToken ct) =>
        {
            var parsed = AdminRange.Parse(from, to, null, time);
            if (parsed.Problem is { } problem)
            {
                return problem;
            }

            if (limit is < 1 or > 1000)
            {
                return CreditProblems.Create(StatusCodes.Status400BadRequest, "invalid_limit", "limit must be from 1 to 1000.");
            }

            return TypedResults.Ok(await analytics.GetTopUsersAsync(parsed.Range!, limit ?? 10, ct).ConfigureAwait(false));
        }).WithName("GetCreditTopUsers").WithSummary("The users who consumed the most credits.");

        group.MapGet("/analytics/consumption", (
            string? from, string? to, [FromServices] ICreditAnalytics analytics, [FromServices] TimeProvider time, CancellationToken ct) =>
            WithRangeAsync(from, to, null, time, range => analytics.GetConsumptionSplitAsync(range, ct)))
            .WithName("GetCreditConsumptionSplit").WithSummary("Free versus paid credits consumed.");

        group.MapGet("/analytics/purchases", (
            string? from, string? to, string? bucket, [FromServices] ICreditAnalytics analytics, [FromServices] TimeProvider time, CancellationToken ct) =>
            WithRangeAsync(from, to, bucket, time, range => analytics.GetPurchasesAsync(range, ct)))
            .WithName("GetCreditPurchaseAnalytics").WithSummary("Checkout conversion, failed and expired payments, refunds, revenue and package popularity.");

        group.MapGet("/users/{userId}/balance", async Task<Ok<CreditBalance>> (string userId, [FromServices] ICreditService credits, CancellationToken ct) =>
                TypedResults.Ok(await credits.GetBalanceAsync(userId, ct).ConfigureAwait(false)))
            .WithName("GetUserCreditBalance").WithSummary("Any user's balance.");

        group.MapPost("/users/{userId}/adjustments", async Task<Results<Ok<CreditAdjustmentResult>, ProblemHttpResult>> (
            string userId, CreditAdjustmentRequest? body, ClaimsPrincipal principal,
            [FromServices] CreditUserAccessor users, [FromServices] ICreditService credits, CancellationToken ct) =>
        {
            if (body is not { Amount: not 0 } || string.IsNullOrWhiteSpace(body.Reason))
            {
                return CreditProblems.Create(StatusCodes.Status400BadRequest, "invalid_adjustment", "An adjustment needs a non-zero amount and a reason.");
            }

            var actor = users.GetUserId(principal) ?? principal.Identity?.Name ?? "admin";
            var result = await credits.AdjustCreditsAsync(userId, body.Amount, body.Reason, actor, body.IdempotencyKey, ct).ConfigureAwait(false);
            return result.Success
                ? TypedResults.Ok(result)
                : CreditProblems.Create(StatusCodes.Status409Conflict, result.Error == CreditDeductionError.InsufficientCredits ? "insufficient_credits" : "idempotency_key_conflict",
                    "The adjustment was not applied.", $"Balance {result.Balance}; nothing was written.");
        }).WithName("AdjustUserCredits").WithSummary("An operator's correction of a user's credits (+/-), recorded with the admin as actor.");

        group.MapGet("/users/{userId}/transactions", async Task<Results<Ok<CreditPage<CreditLedgerEntry>>, ProblemHttpResult>> (
            string userId, int? page, int? pageSize, [FromServices] ICreditService credits, CancellationToken ct) =>
            InvalidPage(page, pageSize) ?? (Results<Ok<CreditPage<CreditLedgerEntry>>, ProblemHttpResult>)TypedResults.Ok(
                await credits.GetTransactionsAsync(userId, page ?? 1, pageSize ?? 50, ct).ConfigureAwait(false)))
            .WithName("GetUserCreditTransactions").WithSummary("Any user's ledger, newest first.");

        group.MapGet("/users/{userId}/usage", async Task<Results<Ok<CreditPage<CreditUsageEntry>>, ProblemHttpResult>> (
            string userId, int? page, int? pageSize, [FromServices] ICreditService credits, CancellationToken ct) =>
            InvalidPage(page, pageSize) ?? (Results<Ok<CreditPage<CreditUsageEntry>>, ProblemHttpResult>)TypedResults.Ok(
                await credits.GetUsageAsync(userId, page ?? 1, pageSize ?? 50, ct).ConfigureAwait(false)))
            .WithName("GetUserCreditUsage").WithSummary("Any user's feature usage, newest first.");

        group.MapGet("/export/transactions.csv", Results<PushStreamHttpResult, ProblemHttpResult> (
            string? from, string? to, [FromServices] ICreditAnalytics analytics, [FromServices] TimeProvider time, CancellationToken ct) =>
            AdminRange.Parse(from, to, null, time) is var parsed && parsed.Problem is { } problem
                ? problem
                : TypedResults.Stream(stream => CreditsCsvExport.WriteTransactionsAsync(stream, analytics.StreamTransactionsAsync(parsed.Range!, ct)), "text/csv; charset=utf-8", "credit-transactions.csv"))
            .WithName("ExportCreditTransactions").WithSummary("The ledger rows of a time range as CSV, streamed.");

        group.MapGet("/export/usage.csv", Results<PushStreamHttpResult, ProblemHttpResult> (
            string? from, string? to, [FromServices] ICreditAnalytics analytics, [FromServices] TimeProvider time, CancellationToken ct) =>
            AdminRange.Parse(from, to, null, time) is var parsed && parsed.Problem is { } problem
                ? problem
                : TypedResults.Stream(stream => CreditsCsvExport.WriteUsageAsync(stream, analytics.StreamUsageAsync(parsed.Range!, ct)), "text/csv; charset=utf-8", "credit-usage.csv"))
            .WithName("ExportCreditUsage").WithSummary("The usage logs of a time range as CSV (prompts left out), streamed.");

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

    private static ProblemHttpResult? InvalidPage(int? page, int? pageSize) =>
        page is < 1 || pageSize is < 1 or > 500
            ? CreditProblems.Create(StatusCodes.Status400BadRequest, "invalid_page", "page must be at least 1 and pageSize from 1 to 500.")
            : null;
}
