namespace MediaForge.Credits.Teams;

/// <summary>
/// Who may do what in a team: an owner manages everyone (and may make owners), an admin manages the members whose role
/// is <see cref="CreditTeamRole.Member"/>, a member manages nobody; anyone may leave. A team keeps at least one owner.
/// </summary>
internal static class CreditTeamRights
{
    /// <summary>Whether <paramref name="actor"/> may add, remove or limit a member whose role is <paramref name="target"/>.</summary>
    public static bool CanManage(CreditTeamRole actor, CreditTeamRole target) =>
        actor == CreditTeamRole.Owner || (actor == CreditTeamRole.Admin && target == CreditTeamRole.Member);

    /// <summary>Whether <paramref name="actor"/> may add a member with <paramref name="role"/> (owners are made by a role change or a transfer).</summary>
    public static bool CanAdd(CreditTeamRole actor, CreditTeamRole role) => role != CreditTeamRole.Owner && CanManage(actor, role);

    /// <summary>Whether <paramref name="actor"/> may see every member's spending (else only their own).</summary>
    public static bool SeesEveryone(CreditTeamRole actor) => actor != CreditTeamRole.Member;

    /// <summary>Whether <paramref name="actor"/> may buy credits for the team.</summary>
    public static bool CanBuy(CreditTeamRole actor) => actor != CreditTeamRole.Member;
}
