using MediaForge.Credits.Tests.Infrastructure;

namespace MediaForge.Credits.Tests.Teams;

/// <summary>Concurrent changes to one team: every change is serialized on the team's row, so the rules hold under races.</summary>
public abstract class TeamRaceTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private readonly TeamSetup setup = new(database);

    [Fact]
    public async Task TwoOwnersSteppingDownAtOnce_OneSucceedsAndTheTeamKeepsAnOwner()
    {
        for (var round = 0; round < 5; round++)
        {
            var (teamId, owner) = await setup.TeamAsync();
            var coOwner = await setup.MemberAsync(teamId, owner, CreditTeamRole.Admin);
            await setup.Teams(t => t.ChangeRoleAsync(teamId, owner, coOwner, CreditTeamRole.Owner));

            var results = await Task.WhenAll(
                Task.Run(() => setup.Teams(t => t.ChangeRoleAsync(teamId, owner, owner, CreditTeamRole.Member))),
                Task.Run(() => setup.Teams(t => t.RemoveMemberAsync(teamId, coOwner, coOwner))));

            Assert.Equal([CreditTeamError.None, CreditTeamError.LastOwner], results.Select(r => r.Error).Order());
            Assert.Single(await setup.RolesAsync(teamId), m => m.Role == CreditTeamRole.Owner);
        }
    }

    [Fact]
    public async Task TwentyMembersAddedAtOnce_AllAreMembers()
    {
        var (teamId, owner) = await setup.TeamAsync();
        var users = Enumerable.Range(0, 20).Select(i => TeamSetup.NewUser("m" + i)).ToList();

        var results = await Task.WhenAll(users.Select(u => Task.Run(() => setup.Teams(t => t.AddMemberAsync(teamId, owner, u)))));

        Assert.All(results, r => Assert.Equal(CreditTeamError.None, r.Error));
        Assert.Equal(21, (await setup.RolesAsync(teamId)).Count);
    }

    [Fact]
    public async Task OneUserAddedTenTimesAtOnce_OneAddsAndNineFindThemAMember()
    {
        var (teamId, owner) = await setup.TeamAsync();
        var user = TeamSetup.NewUser("twice");

        var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Task.Run(() => setup.Teams(t => t.AddMemberAsync(teamId, owner, user)))));

        Assert.Equal(1, results.Count(r => r.Error == CreditTeamError.None));
        Assert.Equal(9, results.Count(r => r.Error == CreditTeamError.AlreadyMember));
    }

    [Fact]
    public async Task OneTeamCreatedTenTimesAtOnce_OneCreatesItWithOneOwner()
    {
        var teamId = TeamSetup.NewTeamId();
        var owners = Enumerable.Range(0, 10).Select(i => TeamSetup.NewUser("o" + i)).ToList();

        var results = await Task.WhenAll(owners.Select(o => Task.Run(() => setup.Teams(t => t.CreateTeamAsync(teamId, "Race", o)))));

        Assert.Equal(1, results.Count(r => r.Error == CreditTeamError.None));
        Assert.Equal(9, results.Count(r => r.Error == CreditTeamError.TeamExists));
        Assert.Single(await setup.RolesAsync(teamId));
    }

    [Fact]
    public async Task AMemberRemovedWhileAnAdminChangesTheirLimit_EndsRemovedOrRefused()
    {
        var (teamId, owner) = await setup.TeamAsync();
        var admin = await setup.MemberAsync(teamId, owner, CreditTeamRole.Admin);
        var member = await setup.MemberAsync(teamId, owner);

        var results = await Task.WhenAll(
            Task.Run(() => setup.Teams(t => t.RemoveMemberAsync(teamId, owner, member))),
            Task.Run(() => setup.Teams(t => t.SetMemberLimitAsync(teamId, admin, member, 10))));

        Assert.Equal(CreditTeamError.None, results[0].Error);
        Assert.Contains(results[1].Error, new[] { CreditTeamError.None, CreditTeamError.MemberNotFound });
        Assert.DoesNotContain(await setup.RolesAsync(teamId), m => m.UserId == member);
    }
}

public sealed class SqliteTeamRaceTests(SqliteCreditsDatabase database) : TeamRaceTests<SqliteCreditsDatabase>(database);

public sealed class PostgresTeamRaceTests(PostgresCreditsDatabase database) : TeamRaceTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbTeamRaceTests(MariaDbCreditsDatabase database) : TeamRaceTests<MariaDbCreditsDatabase>(database);
