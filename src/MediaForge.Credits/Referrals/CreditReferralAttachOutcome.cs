using System.Text.Json.Serialization;

namespace MediaForge.Credits;

/// <summary>What <see cref="ICreditReferralService.AttachReferralAsync"/> did.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<CreditReferralAttachOutcome>))]
public enum CreditReferralAttachOutcome
{
    /// <summary>Attached now; the referee got the sign-up bonus, if any.</summary>
    Attached = 0,

    /// <summary>Already attached with this referrer's code (a retry): nothing changed.</summary>
    AlreadyAttached = 1,

    /// <summary>Refused: the referee (or another account with the same normalized e-mail) was referred by someone else.</summary>
    AlreadyReferred = 2,

    /// <summary>Refused: no user has this code (or it is malformed, or its user was deleted).</summary>
    UnknownCode = 3,

    /// <summary>Refused: the code is the referee's own, or its user has the referee's normalized e-mail.</summary>
    SelfReferral = 4,

    /// <summary>Refused: the referrer was referred by the referee (a pair referring each other).</summary>
    MutualReferral = 5,

    /// <summary>Refused: the referee signed up longer ago than <see cref="CreditReferralOptions.AttachWindow"/>.</summary>
    WindowClosed = 6,

    /// <summary>Refused: the code brought <see cref="CreditReferralOptions.MonthlyAttachCap"/> referees this month.</summary>
    CapReached = 7,

    /// <summary>Refused: referrals are off (<see cref="CreditReferralOptions.Enabled"/>).</summary>
    Disabled = 8,
}
