using System.Text.Json.Serialization;

namespace MediaForge.Credits;

/// <summary>The width of one point of an analytics time series. Buckets start at UTC boundaries.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<CreditAnalyticsBucket>))]
public enum CreditAnalyticsBucket
{
    /// <summary>One hour (UTC).</summary>
    Hour = 0,

    /// <summary>One day (UTC midnight to midnight).</summary>
    Day = 1,

    /// <summary>One ISO week, Monday 00:00 UTC to the next Monday.</summary>
    Week = 2,

    /// <summary>One calendar month (UTC).</summary>
    Month = 3,
}
