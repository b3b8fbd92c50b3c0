using System.Security.Claims;
using MediaForge.Credits;
using MediaForge.Credits.AspNetCore;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the team wallet endpoints of the signed-in user.</summary>
public static class CreditTeamEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps <c>GET ?page=&amp;pageSize=</c> (the signed-in user's teams with their role, paged as the history), <c>GET {id}/balance</c> (members),
    /// <c>GET {id}/members</c> (everyone's spend this period and limit for owners and admins, one's own row for a member),
    /// <c>PUT {id}/members/{userId}/limit { limit }</c> (the service's rights: owners for anyone, admins for members) and
    /// <c>GET {id}/history?page=&amp;pageSize=</c> (the wallet's ledger for owners and admins, paged as the user's). The
    /// caller's membership is read on every call; a team they are not in is the same 404 <c>team_not_found</c> as an
    /// unknown one. Answers 404 <c>teams_disabled</c> while teams are off.
    /// </summary>
    /// <param name="endpoints">The application's endpoints.</param>
    /// <param name="prefix">The group's prefix. Default <c>/api/credits/teams</c>.</param>
    /// <returns>The group.</returns>
    public static RouteGroupBuilder MapCreditTeamEndpoints(this IEndpointRouteBuilder endpoints, string prefix = "/api/credits/teams")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var group = endpoints.MapGroup(prefix).WithTags("Teams").WithMetadata(CreditsJsonEndpoint.Marker).AddEndpointFilter(CreditsJsonEndpoint.Filter)
            .RequireAuthorization().ProducesCreditProblems(StatusCodes.Status401Unauthorized, StatusCodes.Status404NotFound);

        group.MapGet("", async Task<Results<Ok<CreditTeamsResponse>, ProblemHttpResult>> (string? page, string? pageSize,
            ClaimsPrincipal principal, [FromServices] CreditUserAccessor users, [FromServices] ICreditTeamService teams,
            [FromServices] IOptions<CreditsOptions> options, CancellationToken ct) =>
        {
            if (users.GetUserId(principal) is not { } userId)
            {
                return CreditProblems.NoUserId();
            }

            if (!options.Value.Teams.Enabled)
            {
                return CreditTeamProblems.Disabled();
            }

            var paging = CreditPaging.Parse(page, pageSize);
            if (paging.Problem is { } problem)
            {
                return problem;
            }

            var memberships = await teams.GetTeamsPageAsync(userId, paging.Page, paging.PageSize, ct).ConfigureAwait(false);
            return TypedResults.Ok(new CreditTeamsResponse([.. memberships.Items.Select(m =>
                new CreditTeamResponse(m.Team.Id, m.Team.Name, m.Team.Status, m.Role, m.Team.DefaultMemberLimit))], memberships.Page, memberships.PageSize, memberships.TotalCount));
        }).ProducesCreditProblems(StatusCodes.Status400BadRequest)
        .WithName("GetCreditTeams").WithSummary("The teams the signed-in user belongs to, with their role, ordered by team id, page by page.");

        group.MapGet("/{id}/balance", (string id, ClaimsPrincipal principal, [FromServices] CreditUserAccessor users, [FromServices] ICreditTeamService teams,
                [FromServices] IOptions<CreditsOptions> options, CancellationToken ct) =>
                AsMemberAsync<CreditTeamBalanceResponse>(id, principal, users, teams, options, async (membership, _) =>
                    await teams.GetBalanceAsync(membership.Team.Id, ct).ConfigureAwait(false) is { } balance
                        ? TypedResults.Ok(new CreditTeamBalanceResponse(membership.Team.Id, membership.Team.Name, membership.Team.Status, membership.Role,
                            balance.Balance, balance.Available, balance.NextExpiration, balance.Categories,
                            IsLowBalance: options.Value.Events.LowBalanceThreshold is > 0 and var threshold && balance.Balance < threshold))
                        : CreditTeamProblems.NotFound(), ct))
            .WithName("GetCreditTeamBalance").WithSummary("The balance of a team's wallet, for its members.");

        group.MapGet("/{id}/members", (string id, ClaimsPrincipal principal, [FromServices] CreditUserAccessor users, [FromServices] ICreditTeamService teams,
                [FromServices] IOptions<CreditsOptions> options, CancellationToken ct) =>
                AsMemberAsync<CreditTeamMembersResponse>(id, principal, users, teams, options, async (membership, userId) =>
                {
                    var list = await teams.GetMembersAsync(membership.Team.Id, userId, ct).ConfigureAwait(false);
                    return list.Success
                        ? TypedResults.Ok(new CreditTeamMembersResponse(membership.Team.Id, membership.Role, list.Members))
                        : CreditTeamProblems.Refused(list.Error, "this");
                }, ct))
            .WithName("GetCreditTeamMembers").WithSummary("Members' spending this period and limits: everyone for owners and admins, one's own row for a member.");

        group.MapPut("/{id}/members/{userId}/limit", SetLimitAsync)
            .AcceptsCreditJson<SetCreditTeamMemberLimitRequest>()
            .ProducesCreditProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden)
            .WithName("SetCreditTeamMemberLimit").WithSummary("Sets a member's spending limit per period (null: the team's default); owners for anyone, admins for members.");

        group.MapGet("/{id}/history", (string id, string? page, string? pageSize, ClaimsPrincipal principal, [FromServices] CreditUserAccessor users,
                [FromServices] ICreditTeamService teams, [FromServices] IOptions<CreditsOptions> options, CancellationToken ct) =>
                AsMemberAsync<CreditPage<CreditLedgerEntry>>(id, principal, users, teams, options, async (membership, _) =>
                {
                    if (membership.Role == CreditTeamRole.Member)
                    {
                        return CreditTeamProblems.NotAllowed("reading the team's history");
                    }

                    var paging = CreditPaging.Parse(page, pageSize);
                    if (paging.Problem is { } problem)
                    {
                        return problem;
                    }

                    return await teams.GetTransactionsAsync(membership.Team.Id, paging.Page, paging.PageSize, ct).ConfigureAwait(false) is { } history
                        ? TypedResults.Ok(history)
                        : CreditTeamProblems.NotFound();
                }, ct))
            .ProducesCreditProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden)
            .WithName("GetCreditTeamHistory").WithSummary("The team wallet's ledger, newest first, for owners and admins.");
        return group;
    }

    private static async Task<Results<Ok<CreditTeamMember>, ProblemHttpResult>> SetLimitAsync(string id, string userId, HttpContext context,
        [FromServices] CreditUserAccessor users, [FromServices] ICreditTeamService teams, [FromServices] IOptions<CreditsOptions> options, CancellationToken ct) =>
        await AsMemberAsync<CreditTeamMember>(id, context.User, users, teams, options, async (membership, actorId) =>
        {
            var (body, problem) = await CreditsJsonBody.ReadAsync<SetCreditTeamMemberLimitRequest>(context.Request, ct).ConfigureAwait(false);
            if (problem is not null)
            {
                return problem;
            }

            if (body!.Limit is < 0 or > CreditLimits.MaxAmount)
            {
                return CreditTeamProblems.InvalidLimit();
            }

            if (membership.Role == CreditTeamRole.Member)
            {
                return CreditTeamProblems.NotAllowed("setting limits");
            }

            if (!CreditTeamProblems.IsUserId(userId))
            {
                return CreditTeamProblems.MemberNotFound();
            }

            var result = await teams.SetMemberLimitAsync(membership.Team.Id, actorId, userId, body.Limit, ct).ConfigureAwait(false);
            return result is { Success: true, Member: { } member } ? TypedResults.Ok(member) : CreditTeamProblems.Refused(result.Error, "setting this member's limit");
        }, ct).ConfigureAwait(false);

    /// <summary>
    /// Runs <paramref name="operation"/> for a signed-in member of the team <paramref name="teamId"/> (their membership read
    /// now), or answers 401, 404 <c>teams_disabled</c>, or 404 <c>team_not_found</c> for a malformed id, an unknown team
    /// and a team the caller is not in alike.
    /// </summary>
    private static async Task<Results<Ok<T>, ProblemHttpResult>> AsMemberAsync<T>(string teamId, ClaimsPrincipal principal, CreditUserAccessor users,
        ICreditTeamService teams, IOptions<CreditsOptions> options, Func<CreditTeamMembership, string, Task<Results<Ok<T>, ProblemHttpResult>>> operation,
        CancellationToken cancellationToken)
    {
        if (users.GetUserId(principal) is not { } userId)
        {
            return CreditProblems.NoUserId();
        }

        if (!options.Value.Teams.Enabled)
        {
            return CreditTeamProblems.Disabled();
        }

        if (!CreditTeamProblems.IsTeamId(teamId))
        {
            return CreditTeamProblems.NotFound();
        }

        var memberships = await teams.GetTeamsAsync(userId, cancellationToken).ConfigureAwait(false);
        return memberships.FirstOrDefault(m => m.Team.Id == teamId) is { } membership
            ? await operation(membership, userId).ConfigureAwait(false)
            : CreditTeamProblems.NotFound();
    }
}
