using System.Text.Json.Serialization;

namespace MediaForge.Credits.Entities;

/// <summary>Where a purchase stands.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<PurchaseStatus>))]
public enum PurchaseStatus
{
    /// <summary>Checkout started; not paid yet.</summary>
    Pending = 0,

    /// <summary>Paid and credited.</summary>
    Completed = 1,

    /// <summary>The payment failed.</summary>
    Failed = 2,

    /// <summary>The checkout session expired unpaid.</summary>
    Expired = 3,

    /// <summary>The payment was refunded.</summary>
    Refunded = 4,
}
