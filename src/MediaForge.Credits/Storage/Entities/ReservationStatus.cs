using System.Text.Json.Serialization;

namespace MediaForge.Credits.Entities;

/// <summary>Where a credit reservation stands.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ReservationStatus>))]
public enum ReservationStatus
{
    /// <summary>Held: counts against spendable credits until it expires.</summary>
    Active = 0,

    /// <summary>Charged (all or part of the held amount).</summary>
    Captured = 1,

    /// <summary>Given back unused.</summary>
    Released = 2,

    /// <summary>Lapsed before it was captured or released.</summary>
    Expired = 3,
}
