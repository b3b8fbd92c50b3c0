using System.Text.Json.Serialization;

namespace MediaForge.Credits;

/// <summary>A member's role in a team (stored and sent as its name).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<CreditTeamRole>))]
public enum CreditTeamRole
{
    /// <summary>Spends from the team's wallet within the limit; sees their own spend only.</summary>
    Member = 0,

    /// <summary>A member who also manages the members whose role is <see cref="Member"/> (add, remove, limits), sees every member's spend and buys credits for the team.</summary>
    Admin = 1,

    /// <summary>Manages everyone and everything of the team, buys credits for it and hands ownership on. A team keeps at least one owner.</summary>
    Owner = 2,
}
