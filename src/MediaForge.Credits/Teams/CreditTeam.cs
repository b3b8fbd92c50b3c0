namespace MediaForge.Credits;

/// <summary>A team as <see cref="ICreditTeamService"/> reads it.</summary>
public sealed record CreditTeam
{
    /// <summary>The team id (the host's, or the Clerk organization id).</summary>
    public required string Id { get; init; }

    /// <summary>The team's name.</summary>
    public required string Name { get; init; }

    /// <summary>Whether the team's wallet can be used.</summary>
    public required CreditTeamStatus Status { get; init; }

    /// <summary>The spending limit per period of members without a limit of their own; <see langword="null"/>: none.</summary>
    public long? DefaultMemberLimit { get; init; }

    /// <summary>When the team was created (UTC).</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the team was frozen (UTC), if it is.</summary>
    public DateTimeOffset? FrozenAt { get; init; }
}
