using MediaForge.Credits.Teams;
using MediaForge.Credits.Tests.Infrastructure;

namespace MediaForge.Credits.Tests.Teams;

/// <summary>
/// The member-row lock a team hold's settlement takes before the balance rows (<see cref="CreditTeamSpending.LockAnyMemberAsync"/>):
/// exactly the member's row in that team, removed or not; not the team's other members, not the member's rows in other teams.
/// </summary>
public abstract class TeamMemberLockTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private readonly TeamSetup setup = new(database);

    private Task<int> LockAsync(string teamId, string member) =>
        setup.With<int, CreditTeamSpending>(s => s.LockAnyMemberAsync(teamId, member, CancellationToken.None));

    [Fact]
    public async Task LockAnyMember_OfAMemberOfTwoTeamsWithOthers_TakesOnlyThatTeamsRowOfThatMember()
    {
        var (teamId, owner) = await setup.TeamAsync();
        var member = await setup.MemberAsync(teamId, owner);
        await setup.MemberAsync(teamId, owner);
        var (otherTeam, otherOwner) = await setup.TeamAsync();
        Assert.Equal(CreditTeamError.None, (await setup.Teams(t => t.AddMemberAsync(otherTeam, otherOwner, member))).Error);

        Assert.Equal(1, await LockAsync(teamId, member));
    }

    [Fact]
    public async Task LockAnyMember_OfARemovedMember_StillTakesTheRow()
    {
        var (teamId, owner) = await setup.TeamAsync();
        var member = await setup.MemberAsync(teamId, owner);
        Assert.Equal(CreditTeamError.None, (await setup.Teams(t => t.RemoveMemberAsync(teamId, owner, member))).Error);

        Assert.Equal(1, await LockAsync(teamId, member));
    }
}

public sealed class SqliteTeamMemberLockTests(SqliteCreditsDatabase database) : TeamMemberLockTests<SqliteCreditsDatabase>(database);

public sealed class PostgresTeamMemberLockTests(PostgresCreditsDatabase database) : TeamMemberLockTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbTeamMemberLockTests(MariaDbCreditsDatabase database) : TeamMemberLockTests<MariaDbCreditsDatabase>(database);
