using System.Text.Json.Serialization;

namespace MediaForge.Credits.Entities;

/// <summary>Where a referral stands. Every status but <see cref="Attached"/> is final.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<CreditReferralStatus>))]
public enum CreditReferralStatus
{
    /// <summary>The referee signed up with the referrer's code (and got the sign-up bonus); the qualifying event has not happened yet.</summary>
    Attached = 0,

    /// <summary>The qualifying event happened and the referrer got the reward.</summary>
    Rewarded = 1,

    /// <summary>The qualifying event happened when the referrer's monthly cap of rewards was reached: no reward, for good.</summary>
    CapReached = 2,

    /// <summary>The reward was taken back: the qualifying purchase was refunded or a dispute of it was lost.</summary>
    ClawedBack = 3,

    /// <summary>The qualifying event happened, but the referee's e-mail is now the referrer's (normalized): no reward, for good.</summary>
    Disqualified = 4,
}
