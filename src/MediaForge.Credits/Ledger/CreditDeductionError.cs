using System.Text.Json.Serialization;

namespace MediaForge.Credits;

/// <summary>Why a deduction did not take place.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<CreditDeductionError>))]
public enum CreditDeductionError
{
    /// <summary>The deduction succeeded.</summary>
    None = 0,

    /// <summary>The user cannot pay the price; nothing was written.</summary>
    InsufficientCredits = 1,

    /// <summary>
    /// The idempotency key was already used by this user for a different request (another feature, model, prompt or
    /// metadata; a grant; another amount or reason); nothing was written. Over HTTP: 409 <c>idempotency_key_conflict</c>.
    /// </summary>
    IdempotencyKeyConflict = 2,

    /// <summary>
    /// The wallet is a team's (<see cref="CreditWallet.Team"/>) and the user is not an active member of it (never was,
    /// was removed, or no team has that id); nothing was charged. Over HTTP: 403 <c>not_team_member</c>.
    /// </summary>
    NotTeamMember = 3,

    /// <summary>The team is <see cref="CreditTeamStatus.Frozen"/>: nobody spends from its wallet. Over HTTP: 403 <c>team_frozen</c>.</summary>
    TeamFrozen = 4,

    /// <summary>
    /// The member's spending limit for the period (their own, or the team's default) does not cover the part of the
    /// use the team wallet would pay; nothing was charged. Over HTTP: 402 <c>member_limit_reached</c>.
    /// </summary>
    MemberLimitReached = 5,
}
