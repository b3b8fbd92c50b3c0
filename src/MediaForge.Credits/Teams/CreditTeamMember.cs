namespace MediaForge.Credits;

/// <summary>A member of a team, with their spending in the current limit period.</summary>
public sealed record CreditTeamMember
{
    /// <summary>The member's user id.</summary>
    public required string UserId { get; init; }

    /// <summary>The member's role.</summary>
    public required CreditTeamRole Role { get; init; }

    /// <summary>The member's own limit per period, or <see langword="null"/> when none is set.</summary>
    public long? Limit { get; init; }

    /// <summary>The limit that applies: <see cref="Limit"/>, else the team's default; <see langword="null"/>: unlimited.</summary>
    public long? EffectiveLimit { get; init; }

    /// <summary>Credits of the team's wallet the member spent in the current period.</summary>
    public required long SpentThisPeriod { get; init; }

    /// <summary>When the current limit period started (UTC).</summary>
    public required DateTimeOffset PeriodStart { get; init; }

    /// <summary>When the member joined (UTC).</summary>
    public required DateTimeOffset JoinedAt { get; init; }
}
