using System.Text.Json.Serialization;

namespace MediaForge.Credits.Entities;

/// <summary>Where a payment dispute (chargeback) stands.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<PaymentDisputeState>))]
public enum PaymentDisputeState
{
    /// <summary>Opened and not decided: the disputed credits are clawed back (or frozen).</summary>
    Open = 0,

    /// <summary>Decided for the merchant: the credits are restored.</summary>
    Won = 1,

    /// <summary>Decided for the buyer: the credits stay removed.</summary>
    Lost = 2,
}
