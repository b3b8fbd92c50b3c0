using System.Text.Json.Serialization;

namespace MediaForge.Credits;

/// <summary>Where a gift stands (stored as its number; written by name on the wire).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<CreditGiftStatus>))]
public enum CreditGiftStatus
{
    /// <summary>Made; its credits are held from the sender until it is redeemed, cancelled or expires.</summary>
    Pending = 0,

    /// <summary>Redeemed: the credits moved to the recipient.</summary>
    Redeemed = 1,

    /// <summary>Cancelled by the sender: the credits are the sender's again.</summary>
    Cancelled = 2,

    /// <summary>Not redeemed by its expiry: the credits are the sender's again.</summary>
    Expired = 3,

    /// <summary>Taken back because the purchase that paid for it was refunded or lost in a dispute before it was redeemed.</summary>
    Revoked = 4,
}
