namespace MediaForge.Credits.AspNetCore.Endpoints;

/// <summary>
/// The team endpoints' problem answers, one stable code per refusal. A team the caller does not belong to is the same
/// 404 <c>team_not_found</c> as a team that does not exist, so its existence is not revealed.
/// </summary>
internal static class CreditTeamProblems
{
    /// <summary>The longest team id read from a route or body (<see cref="CreditWallet.MaxTeamIdLength"/>).</summary>
    public const int MaxTeamIdLength = CreditWallet.MaxTeamIdLength;

    public static ProblemHttpResult Disabled() =>
        CreditProblems.Create(StatusCodes.Status404NotFound, "teams_disabled", "Teams are not enabled.");

    /// <summary>The one answer for an unknown team, a team the caller is not a member of, and a malformed team id.</summary>
    public static ProblemHttpResult NotFound() =>
        CreditProblems.Create(StatusCodes.Status404NotFound, "team_not_found", "You are not a member of a team with this id.");

    public static ProblemHttpResult MemberNotFound() =>
        CreditProblems.Create(StatusCodes.Status404NotFound, "team_member_not_found", "The team has no member with this user id.");

    public static ProblemHttpResult NotAllowed(string what) =>
        CreditProblems.Create(StatusCodes.Status403Forbidden, "team_role_not_allowed", $"Your role in this team does not allow {what}.",
            "Owners manage everyone; admins manage members whose role is Member and may buy for the team.");

    public static ProblemHttpResult Frozen() =>
        CreditProblems.Create(StatusCodes.Status403Forbidden, "team_frozen", "This team is frozen.",
            "Its wallet can be read, not changed or bought for.");

    public static ProblemHttpResult InvalidLimit() =>
        CreditProblems.Create(StatusCodes.Status400BadRequest, "invalid_team_limit", "The limit is not accepted.",
            $"Send {{ \"limit\": n }} with a whole number of credits from 0 to {CreditLimits.MaxAmount}, or {{ \"limit\": null }} for the team's default.");

    /// <summary>The problem for a refusal of <see cref="ICreditTeamService"/>.</summary>
    public static ProblemHttpResult Refused(CreditTeamError error, string what) => error switch
    {
        CreditTeamError.TeamsDisabled => Disabled(),
        CreditTeamError.TeamFrozen => Frozen(),
        CreditTeamError.NotAllowed => NotAllowed(what),
        CreditTeamError.MemberNotFound => MemberNotFound(),
        _ => NotFound(),
    };

    /// <summary>Whether <paramref name="teamId"/> could name a team (else the answer is <see cref="NotFound"/> without a database read).</summary>
    public static bool IsTeamId(string? teamId) =>
        !string.IsNullOrWhiteSpace(teamId) && teamId.Length <= MaxTeamIdLength && !teamId.Any(c => char.IsWhiteSpace(c) || char.IsControl(c));

    /// <summary>Whether <paramref name="userId"/> could be a user's id (else no member has it).</summary>
    public static bool IsUserId(string? userId) =>
        !string.IsNullOrWhiteSpace(userId) && userId.Length <= CreditLimits.MaxUserIdLength
        && !MediaForge.Credits.Ledger.CreditOperationKeys.IsReserved(userId);
}
