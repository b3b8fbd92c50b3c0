namespace MediaForge.Credits;

/// <summary>A half-open time range <c>[From, To)</c> of an analytics query, and the width of its series' points.</summary>
public sealed record CreditAnalyticsRange
{
    /// <summary>Creates a range.</summary>
    /// <param name="from">The first instant included.</param>
    /// <param name="to">The first instant excluded; must be after <paramref name="from"/>.</param>
    /// <param name="bucket">The width of one series point. Default <see cref="CreditAnalyticsBucket.Day"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="to"/> is not after <paramref name="from"/>, or the bucket is unknown.</exception>
    public CreditAnalyticsRange(DateTimeOffset from, DateTimeOffset to, CreditAnalyticsBucket bucket = CreditAnalyticsBucket.Day)
    {
        if (to <= from)
        {
            throw new ArgumentException($"The end of the range ({to:O}) must be after its start ({from:O}).", nameof(to));
        }

        if (!Enum.IsDefined(bucket))
        {
            throw new ArgumentException($"Unknown analytics bucket '{bucket}'.", nameof(bucket));
        }

        From = from.ToUniversalTime();
        To = to.ToUniversalTime();
        Bucket = bucket;
    }

    /// <summary>The first instant included (UTC).</summary>
    public DateTimeOffset From { get; }

    /// <summary>The first instant excluded (UTC).</summary>
    public DateTimeOffset To { get; }

    /// <summary>The width of one series point.</summary>
    public CreditAnalyticsBucket Bucket { get; }

    /// <summary>The length of the range in days (fractional).</summary>
    public double Days => (To - From).TotalDays;
}
