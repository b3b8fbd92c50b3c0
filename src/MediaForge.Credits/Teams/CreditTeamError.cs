using System.Text.Json.Serialization;

namespace MediaForge.Credits;

/// <summary>Why a team operation was refused (<see cref="ICreditTeamService"/>); nothing was changed.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<CreditTeamError>))]
public enum CreditTeamError
{
    /// <summary>The operation took place.</summary>
    None = 0,

    /// <summary>Teams are turned off (<see cref="CreditTeamOptions.Enabled"/>).</summary>
    TeamsDisabled = 1,

    /// <summary>No team has that id.</summary>
    TeamNotFound = 2,

    /// <summary>A team with that id exists already (creation).</summary>
    TeamExists = 3,

    /// <summary>The team is <see cref="CreditTeamStatus.Frozen"/>.</summary>
    TeamFrozen = 4,

    /// <summary>The acting user is not a member of the team.</summary>
    NotMember = 5,

    /// <summary>The acting user's role does not allow the operation.</summary>
    NotAllowed = 6,

    /// <summary>The user to add is a member already.</summary>
    AlreadyMember = 7,

    /// <summary>The user the operation is about is not a member of the team.</summary>
    MemberNotFound = 8,

    /// <summary>The change would leave the team without an owner (the last owner cannot leave, be removed or step down; transfer ownership first).</summary>
    LastOwner = 9,
}
