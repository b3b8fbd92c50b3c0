using MediaForge.Credits.Entities;
using MediaForge.Credits.Teams;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace MediaForge.Credits.Tests.Teams;

/// <summary>Memberships mirrored from the identity provider's organization events (Clerk), by event version.</summary>
public abstract class TeamMirrorTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 6, 1, 9, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task ApplyMembership_ReAddedAfterRemoval_JoinsAtTheReAddition()
    {
        var setup = new TeamSetup(database, clock);
        var (teamId, user) = (TeamSetup.NewTeamId(), TeamSetup.NewUser("mirrored"));
        Task<string> Apply(bool removed, long version) =>
            setup.With<string, CreditTeamMirror>(m => m.ApplyMembershipAsync(teamId, "Mirrored", 1, user, CreditTeamRole.Member, removed, version, CancellationToken.None));

        Assert.Equal("member_added", await Apply(removed: false, version: 1));
        clock.Advance(TimeSpan.FromDays(1));
        Assert.Equal("member_removed", await Apply(removed: true, version: 2));
        clock.Advance(TimeSpan.FromDays(1));
        await Apply(removed: false, version: 3);

        DateTime joined = default;
        DateTime? removedAt = null;
        await setup.WithContextAsync(async db =>
        {
            var row = await db.Set<CreditTeamMemberRow>().AsNoTracking().SingleAsync(m => m.TeamId == teamId && m.UserId == user);
            (joined, removedAt) = (row.CreatedAt, row.RemovedAt);
        });
        Assert.Equal((clock.GetUtcNow().UtcDateTime, (DateTime?)null), (DateTime.SpecifyKind(joined, DateTimeKind.Utc), removedAt));
    }
}

public sealed class SqliteTeamMirrorTests(SqliteCreditsDatabase database) : TeamMirrorTests<SqliteCreditsDatabase>(database);

public sealed class PostgresTeamMirrorTests(PostgresCreditsDatabase database) : TeamMirrorTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbTeamMirrorTests(MariaDbCreditsDatabase database) : TeamMirrorTests<MariaDbCreditsDatabase>(database);
