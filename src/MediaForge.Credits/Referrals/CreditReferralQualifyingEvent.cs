using System.Text.Json.Serialization;

namespace MediaForge.Credits;

/// <summary>What earns the referrer the reward (<see cref="CreditReferralOptions.QualifyingEvent"/>).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<CreditReferralQualifyingEvent>))]
public enum CreditReferralQualifyingEvent
{
    /// <summary>
    /// The referee's first paid purchase completed after the referral was attached (at least
    /// <see cref="CreditReferralOptions.MinimumQualifyingPurchaseCents"/>), in the purchase's own transaction. The default.
    /// </summary>
    FirstPaidPurchase = 0,

    /// <summary>The host says when: <see cref="ICreditReferralService.QualifyReferralAsync"/>. Purchases qualify nothing.</summary>
    Manual = 1,
}
