using System.Text.Json.Serialization;

namespace MediaForge.Credits;

/// <summary>
/// Who pays for a member's use of a feature with a team's wallet (<see cref="CreditTeamOptions.FundingPolicy"/>). One
/// use is charged in one transaction, across at most two wallets (the member's own and the team's), with one usage log
/// on the team's wallet naming the member.
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<CreditTeamFundingPolicy>))]
public enum CreditTeamFundingPolicy
{
    /// <summary>The team's wallet pays all of it, within the member's limit.</summary>
    TeamOnly = 0,

    /// <summary>The member's own spendable credits first; the team's wallet pays the rest, within the member's limit.</summary>
    PersonalFirst = 1,

    /// <summary>The team's wallet first, as far as its credits and the member's limit go; the member's own credits pay the rest.</summary>
    TeamFirst = 2,
}
