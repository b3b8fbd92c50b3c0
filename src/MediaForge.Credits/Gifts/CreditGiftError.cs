using System.Text.Json.Serialization;

namespace MediaForge.Credits;

/// <summary>Why a gift operation did not take place (<see cref="ICreditGiftService"/>).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<CreditGiftError>))]
public enum CreditGiftError
{
    /// <summary>It took place.</summary>
    None = 0,

    /// <summary>Gifts are turned off (<see cref="CreditGiftOptions.Enabled"/>); nothing was written.</summary>
    GiftsDisabled = 1,

    /// <summary>The sender's spendable credits do not cover the gift; nothing was written. Admins too: a gift moves real credits only.</summary>
    InsufficientCredits = 2,

    /// <summary>The amount is over <see cref="CreditGiftOptions.MaxGiftAmount"/>; nothing was written.</summary>
    OverMaximum = 3,

    /// <summary>The sender already used the idempotency key for another request; nothing was written.</summary>
    IdempotencyKeyConflict = 4,

    /// <summary>
    /// No redeemable gift has this code: unknown, malformed, already redeemed, cancelled, expired or revoked, all alike.
    /// </summary>
    InvalidCode = 5,

    /// <summary>The sender tried to redeem their own gift (cancel it instead); nothing moved.</summary>
    OwnGift = 6,

    /// <summary>The user redeemed too often within <see cref="CreditGiftOptions.RedeemWindow"/>; nothing was looked up.</summary>
    RateLimited = 7,

    /// <summary>No gift with this id was sent by this user.</summary>
    NotFound = 8,

    /// <summary>The gift is no longer pending (redeemed, cancelled, expired or revoked); nothing changed.</summary>
    NotPending = 9,
}
