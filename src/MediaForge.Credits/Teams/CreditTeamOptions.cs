namespace MediaForge.Credits;

/// <summary>Team wallets (<see cref="CreditsOptions.Teams"/>, configuration section <c>MediaForge:Credits:Teams</c>).</summary>
public sealed class CreditTeamOptions
{
    /// <summary>
    /// Whether teams work. Default <see langword="false"/>: team commands answer <see cref="CreditTeamError.TeamsDisabled"/>,
    /// team reads throw <see cref="InvalidOperationException"/> and the Clerk webhook ignores organization events.
    /// </summary>
    public bool Enabled { get; set; }

    /// <summary>
    /// The period a member's spending limit counts over. Default <see langword="null"/>: the calendar month (UTC).
    /// Otherwise periods of this length one after another from the Unix epoch (UTC), for example 7 days; 1 minute to
    /// 366 days.
    /// </summary>
    public TimeSpan? LimitPeriod { get; set; }

    /// <summary>
    /// Who pays when a member uses a feature with a team's wallet (<see cref="CreditWallet.Team"/>). Default
    /// <see cref="CreditTeamFundingPolicy.TeamOnly"/>. The member's limit counts only what the team's wallet pays.
    /// </summary>
    public CreditTeamFundingPolicy FundingPolicy { get; set; }
}
