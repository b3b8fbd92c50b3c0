namespace MediaForge.Credits;

/// <summary>Whether a user can pay for one use of a feature with a model.</summary>
public sealed record CreditCheckResult
{
    /// <summary>Whether the user can use the feature now.</summary>
    public required bool HasCredits { get; init; }

    /// <summary>The price of one use in credits.</summary>
    public required long Required { get; init; }

    /// <summary>Credits the user can spend now.</summary>
    public required long Available { get; init; }

    /// <summary>Whether the user is unlimited (an admin).</summary>
    public required bool IsUnlimited { get; init; }

    /// <summary>
    /// Why the user cannot use the feature now (<see cref="CreditDeductionError.InsufficientCredits"/>, or for a team's
    /// wallet <see cref="CreditDeductionError.NotTeamMember"/>, <see cref="CreditDeductionError.TeamFrozen"/> or
    /// <see cref="CreditDeductionError.MemberLimitReached"/>); <see cref="CreditDeductionError.None"/> when they can.
    /// </summary>
    public CreditDeductionError Error { get; init; }
}
