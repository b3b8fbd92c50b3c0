using MediaForge.Credits.Entities;
using MediaForge.Credits.Teams;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace MediaForge.Credits.Tests.Teams;

/// <summary>
/// The limit period: calendar months (UTC) by default, or a configured length. What a member spent (the counter phase 2's
/// debit adds to, written here directly) counts only in its own period: at the boundary it reads as zero.
/// </summary>
public abstract class TeamLimitPeriodTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    [Theory]
    [InlineData("2026-03-31T23:59:59Z", "2026-03-01T00:00:00Z")]
    [InlineData("2026-04-01T00:00:00Z", "2026-04-01T00:00:00Z")]
    [InlineData("2026-04-01T01:30:00+02:00", "2026-03-01T00:00:00Z")]
    public void StartOf_CalendarMonth_IsTheFirstOfTheUtcMonth(string now, string start) =>
        Assert.Equal(DateTimeOffset.Parse(start).UtcDateTime, CreditTeamPeriods.StartOf(DateTimeOffset.Parse(now), null));

    [Fact]
    public void StartOf_SevenDays_CountsFromTheUnixEpoch() =>
        Assert.Equal(new DateTime(2026, 3, 26, 0, 0, 0, DateTimeKind.Utc), CreditTeamPeriods.StartOf(new DateTimeOffset(2026, 4, 1, 12, 0, 0, TimeSpan.Zero), TimeSpan.FromDays(7)));

    [Fact]
    public async Task SpentThisPeriod_AtTheMonthBoundary_ResetsToZero()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 3, 31, 23, 59, 0, TimeSpan.Zero));
        var setup = new TeamSetup(database, clock);
        var (teamId, owner) = await setup.TeamAsync();
        await setup.WithContextAsync(db => db.Set<CreditTeamMemberRow>().Where(m => m.TeamId == teamId && m.UserId == owner)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.PeriodSpent, 70).SetProperty(m => m.PeriodStart, new DateTime(2026, 3, 1, 0, 0, 0, DateTimeKind.Utc))));
        var before = Assert.Single((await setup.Teams(t => t.GetMembersAsync(teamId, owner))).Members);

        clock.Advance(TimeSpan.FromMinutes(1));
        var after = Assert.Single((await setup.Teams(t => t.GetMembersAsync(teamId, owner))).Members);

        Assert.Equal((70L, new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero)), (before.SpentThisPeriod, before.PeriodStart));
        Assert.Equal((0L, new DateTimeOffset(2026, 4, 1, 0, 0, 0, TimeSpan.Zero)), (after.SpentThisPeriod, after.PeriodStart));
    }
}

public sealed class SqliteTeamLimitPeriodTests(SqliteCreditsDatabase database) : TeamLimitPeriodTests<SqliteCreditsDatabase>(database);

public sealed class PostgresTeamLimitPeriodTests(PostgresCreditsDatabase database) : TeamLimitPeriodTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbTeamLimitPeriodTests(MariaDbCreditsDatabase database) : TeamLimitPeriodTests<MariaDbCreditsDatabase>(database);
