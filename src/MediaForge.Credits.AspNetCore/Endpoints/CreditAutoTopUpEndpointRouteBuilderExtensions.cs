using System.Security.Claims;
using MediaForge.Credits;
using MediaForge.Credits.AspNetCore;
using MediaForge.Credits.Teams;
using MediaForge.Credits.TopUps;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the auto top-up settings of the signed-in user's wallet or of a team's.</summary>
public static class CreditAutoTopUpEndpointRouteBuilderExtensions
{
    private const int MaxPackageIdLength = 64;

    /// <summary>
    /// Maps <c>GET</c> (<c>?teamId=</c> for a team's wallet) and <c>PUT</c> (<see cref="CreditAutoTopUpRequest"/>): the
    /// threshold, the pack, the monthly count and money caps, whether a card is saved and whether it paused. A team's
    /// settings are its owners' and admins' (a member gets 403, a non-member the unknown-team 404). Bad values are 400
    /// problems with a stable code.
    /// </summary>
    /// <param name="endpoints">The application's endpoints.</param>
    /// <param name="prefix">The group's prefix. Default <c>/api/credits/auto-top-up</c>.</param>
    /// <returns>The group.</returns>
    public static RouteGroupBuilder MapCreditAutoTopUpEndpoints(this IEndpointRouteBuilder endpoints, string prefix = "/api/credits/auto-top-up")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var group = endpoints.MapCreditsFeatureGroup(prefix, "Auto top-up", _ => true, CreditTeamProblems.NotFound)
            .ProducesCreditProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden);

        group.MapGet("", async Task<Results<Ok<CreditAutoTopUpResponse>, ProblemHttpResult>> (
            string? teamId, ClaimsPrincipal principal, [FromServices] CreditUserAccessor users, [FromServices] CreditAutoTopUps settings,
            [FromServices] IOptions<CreditsOptions> options, CancellationToken ct) =>
        {
            var (wallet, problem) = await WalletAsync(users.GetUserId(principal), teamId, settings, options.Value, ct).ConfigureAwait(false);
            return problem is not null ? problem : TypedResults.Ok(Answer(await settings.ReadAsync(wallet!, ct).ConfigureAwait(false), teamId));
        }).WithName("GetCreditAutoTopUp").WithSummary("The auto top-up of the signed-in user's wallet, or of a team's (owners and admins).");

        group.MapPut("", async Task<Results<Ok<CreditAutoTopUpResponse>, ProblemHttpResult>> (
            HttpRequest request, ClaimsPrincipal principal, [FromServices] CreditUserAccessor users, [FromServices] CreditAutoTopUps settings,
            [FromServices] IOptions<CreditsOptions> options, CancellationToken ct) =>
        {
            var (body, bodyProblem) = await CreditsJsonBody.ReadAsync<CreditAutoTopUpRequest>(request, ct).ConfigureAwait(false);
            if (bodyProblem is not null)
            {
                return bodyProblem;
            }

            if (Invalid(body!) is { } invalid)
            {
                return invalid;
            }

            var (wallet, problem) = await WalletAsync(users.GetUserId(principal), body!.TeamId, settings, options.Value, ct).ConfigureAwait(false);
            if (problem is not null)
            {
                return problem;
            }

            var saved = await settings.SaveAsync(wallet!, new CreditAutoTopUpChange(body.Enabled, body.Threshold, body.PackageId!.Trim(),
                body.MaxTopUpsPerMonth, body.MaxAmountPerMonthCents), ct).ConfigureAwait(false);
            return saved switch
            {
                CreditAutoTopUpError.PackageNotFound => Bad("unknown_package", "No active paid package has this id.", $"Package '{body.PackageId}' cannot be bought automatically."),
                CreditAutoTopUpError.CapBelowPrice => Bad("monthly_amount_below_price", "The monthly money cap is below the pack's price.",
                    "Raise maxAmountPerMonthCents to at least the pack's price, or choose a cheaper pack."),
                _ => TypedResults.Ok(Answer(await settings.ReadAsync(wallet!, ct).ConfigureAwait(false), body.TeamId)),
            };
        })
            .AcceptsCreditJson<CreditAutoTopUpRequest>()
            .WithName("PutCreditAutoTopUp").WithSummary("Saves the auto top-up of the signed-in user's wallet, or of a team's (owners and admins); resumes it if paused.");
        return group;
    }

    private static ProblemHttpResult? Invalid(CreditAutoTopUpRequest body) =>
        string.IsNullOrWhiteSpace(body.PackageId) || body.PackageId.Length > MaxPackageIdLength
            ? Bad("invalid_package_id", "A packageId is required.", $"Send the id of a paid package, at most {MaxPackageIdLength} characters.")
        : body.Threshold is < 1 or > CreditAutoTopUps.MaxThreshold
            ? Bad("invalid_threshold", "The threshold is out of range.", $"threshold must be 1 to {CreditAutoTopUps.MaxThreshold}.")
        : body.MaxTopUpsPerMonth is < 1 or > CreditAutoTopUps.MaxPerMonthLimit
            ? Bad("invalid_monthly_count", "The monthly count cap is out of range.", $"maxTopUpsPerMonth must be 1 to {CreditAutoTopUps.MaxPerMonthLimit}.")
        : body.MaxAmountPerMonthCents is < 1 or > CreditAutoTopUps.MaxAmountPerMonthCents
            ? Bad("invalid_monthly_amount", "The monthly money cap is out of range.", $"maxAmountPerMonthCents must be 1 to {CreditAutoTopUps.MaxAmountPerMonthCents}.")
        : null;

    /// <summary>The wallet the request is about, or why it may not see it.</summary>
    private static async Task<(string? Wallet, ProblemHttpResult? Problem)> WalletAsync(string? userId, string? teamId, CreditAutoTopUps settings,
        CreditsOptions options, CancellationToken ct)
    {
        if (userId is null)
        {
            return (null, CreditProblems.NoUserId());
        }

        if (teamId is null)
        {
            return (userId, null);
        }

        if (!options.Teams.Enabled)
        {
            return (null, CreditTeamProblems.Disabled());
        }

        if (!CreditTeamProblems.IsTeamId(teamId))
        {
            return (null, CreditTeamProblems.NotFound());
        }

        return await settings.CheckTeamAsync(userId, teamId, ct).ConfigureAwait(false) switch
        {
            CreditAutoTopUpError.None => (CreditWalletAccounts.TeamAccount(teamId), null),
            CreditAutoTopUpError.Forbidden => (null, CreditTeamProblems.NotAllowed("managing the team's auto top-up")),
            _ => (null, CreditTeamProblems.NotFound()),
        };
    }

    private static CreditAutoTopUpResponse Answer(CreditAutoTopUpSettings s, string? teamId) =>
        new(s.Enabled, s.Threshold, s.PackageId, s.Credits, s.PriceCents, s.Currency, s.MaxPerMonth, s.MaxAmountPerMonthCents, s.HasPaymentMethod,
            s.Paused, s.ConsecutiveFailures, s.MonthCount, s.MonthAmountCents, teamId);

    private static ProblemHttpResult Bad(string code, string title, string detail) =>
        CreditProblems.Create(StatusCodes.Status400BadRequest, code, title, detail);
}
