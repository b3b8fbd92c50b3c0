namespace MediaForge.Credits;

/// <summary>The outcome of a team command of <see cref="ICreditTeamService"/>.</summary>
public sealed record CreditTeamResult
{
    /// <summary>Whether the change took place.</summary>
    public bool Success => Error == CreditTeamError.None;

    /// <summary>Why it was refused, or <see cref="CreditTeamError.None"/>.</summary>
    public required CreditTeamError Error { get; init; }

    /// <summary>The team after the change (refused: as it is, when it exists).</summary>
    public CreditTeam? Team { get; init; }

    /// <summary>The member the command was about, after the change (a removal: <see langword="null"/>).</summary>
    public CreditTeamMember? Member { get; init; }
}
