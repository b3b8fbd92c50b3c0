namespace MediaForge.Credits;

/// <summary>The members of a team that the acting user may see (<see cref="ICreditTeamService.GetMembersAsync"/>).</summary>
public sealed record CreditTeamMemberList
{
    /// <summary>Whether the acting user could read the members.</summary>
    public bool Success => Error == CreditTeamError.None;

    /// <summary>Why not (<see cref="CreditTeamError.TeamNotFound"/>, <see cref="CreditTeamError.NotMember"/>), or <see cref="CreditTeamError.None"/>.</summary>
    public required CreditTeamError Error { get; init; }

    /// <summary>Every member for an owner or admin; only the acting member for a <see cref="CreditTeamRole.Member"/>. Ordered by user id.</summary>
    public IReadOnlyList<CreditTeamMember> Members { get; init; } = [];
}
