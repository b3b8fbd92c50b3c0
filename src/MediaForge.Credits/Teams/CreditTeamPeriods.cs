namespace MediaForge.Credits.Teams;

/// <summary>The limit periods: calendar months (UTC) by default, or fixed lengths one after another from the Unix epoch.</summary>
internal static class CreditTeamPeriods
{
    /// <summary>The start (UTC) of the period <paramref name="now"/> falls in.</summary>
    public static DateTime StartOf(DateTimeOffset now, TimeSpan? length)
    {
        var utc = now.UtcDateTime;
        if (length is not { } period)
        {
            return new DateTime(utc.Year, utc.Month, 1, 0, 0, 0, DateTimeKind.Utc);
        }

        var ticks = utc.Ticks - DateTime.UnixEpoch.Ticks;
        return new DateTime(DateTime.UnixEpoch.Ticks + ticks - (ticks % period.Ticks), DateTimeKind.Utc);
    }

    /// <summary>What a member spent in the period starting at <paramref name="periodStart"/>, from the stored counter.</summary>
    public static long SpentIn(CreditTeamMemberRow row, DateTime periodStart) =>
        row.PeriodStart is { } counted && counted == periodStart ? row.PeriodSpent : 0;
}
