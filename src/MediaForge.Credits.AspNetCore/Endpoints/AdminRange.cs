namespace MediaForge.Credits.AspNetCore.Endpoints;

/// <summary>The <c>from</c>, <c>to</c> and <c>bucket</c> query parameters of the admin endpoints, or the problem with them.</summary>
internal readonly record struct AdminRange(CreditAnalyticsRange? Range, ProblemHttpResult? Problem)
{
    /// <summary>The range when <c>from</c> is not given: the last 30 days.</summary>
    public static readonly TimeSpan DefaultLength = TimeSpan.FromDays(30);

    /// <summary>The longest range accepted for hourly buckets (about two months of points per series).</summary>
    public static readonly TimeSpan MaxHourlyLength = TimeSpan.FromDays(62);

    public static AdminRange Parse(string? from, string? to, string? bucket, TimeProvider time)
    {
        var end = time.GetUtcNow();
        if (to is not null && !TryParse(to, out end))
        {
            return Invalid($"'to' is not an ISO 8601 date or time: '{to}'.");
        }

        var start = end - DefaultLength;
        if (from is not null && !TryParse(from, out start))
        {
            return Invalid($"'from' is not an ISO 8601 date or time: '{from}'.");
        }

        var width = CreditAnalyticsBucket.Day;
        if (bucket is not null && (!Enum.TryParse(bucket, ignoreCase: true, out width) || !Enum.IsDefined(width) || int.TryParse(bucket, out _)))
        {
            return Invalid($"'bucket' must be hour, day, week or month, not '{bucket}'.");
        }

        if (end <= start)
        {
            return Invalid("'to' must be after 'from'.");
        }

        if (width == CreditAnalyticsBucket.Hour && end - start > MaxHourlyLength)
        {
            return Invalid($"Hourly buckets cover at most {MaxHourlyLength.TotalDays} days; use day, week or month.");
        }

        return new AdminRange(new CreditAnalyticsRange(start, end, width), null);
    }

    private static bool TryParse(string value, out DateTimeOffset result) =>
        DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out result);

    private static AdminRange Invalid(string detail) =>
        new(null, CreditProblems.Create(StatusCodes.Status400BadRequest, "invalid_range", "The time range is invalid.", detail));
}
