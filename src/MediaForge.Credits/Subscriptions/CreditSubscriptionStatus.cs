using System.Text.Json.Serialization;

namespace MediaForge.Credits;

/// <summary>A subscription's state as the library last learnt it from the payment provider.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<CreditSubscriptionStatus>))]
public enum CreditSubscriptionStatus
{
    /// <summary>Paid and running.</summary>
    Active = 0,

    /// <summary>In its trial period.</summary>
    Trialing = 1,

    /// <summary>A renewal payment failed; nothing is granted until an invoice is paid.</summary>
    PastDue = 2,

    /// <summary>Created, first payment not made yet.</summary>
    Incomplete = 3,

    /// <summary>Paused by the provider.</summary>
    Paused = 4,

    /// <summary>Ended: no further allowance is granted; what was granted stays until it expires. Final.</summary>
    Canceled = 5,
}
