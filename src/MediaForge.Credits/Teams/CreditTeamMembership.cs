namespace MediaForge.Credits;

/// <summary>One team a user belongs to (<see cref="ICreditTeamService.GetTeamsAsync"/>).</summary>
public sealed record CreditTeamMembership
{
    /// <summary>The team.</summary>
    public required CreditTeam Team { get; init; }

    /// <summary>The user's role in it.</summary>
    public required CreditTeamRole Role { get; init; }
}
