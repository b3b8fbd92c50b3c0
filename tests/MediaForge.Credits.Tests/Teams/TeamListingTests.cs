using MediaForge.Credits.Tests.Infrastructure;

namespace MediaForge.Credits.Tests.Teams;

/// <summary>Who sees which teams and members through <see cref="ICreditTeamService"/>, one rule per test, on a real database.</summary>
public abstract class TeamListingTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private readonly TeamSetup setup = new(database);

    private Task<CreditTeamResult> Teams(Func<ICreditTeamService, Task<CreditTeamResult>> action) => setup.Teams(action);

    [Fact]
    public async Task GetTeams_OfAUser_ListsTheTeamsTheyBelongToWithTheirRoles()
    {
        var (first, owner) = await setup.TeamAsync();
        var (second, otherOwner) = await setup.TeamAsync();
        var (third, thirdOwner) = await setup.TeamAsync();
        await setup.Teams(t => t.AddMemberAsync(second, otherOwner, owner, CreditTeamRole.Admin));
        await setup.Teams(t => t.AddMemberAsync(third, thirdOwner, owner));
        await setup.Teams(t => t.RemoveMemberAsync(third, owner, owner));

        var teams = await setup.Teams(t => t.GetTeamsAsync(owner));

        Assert.Equal(new[] { (first, CreditTeamRole.Owner), (second, CreditTeamRole.Admin) }.OrderBy(x => x.Item1, StringComparer.Ordinal),
            teams.Select(m => (m.Team.Id, m.Role)));
    }

    [Fact]
    public async Task GetTeamsPage_SecondPageOfTwo_ListsTheTeamsPastTheFirstPageAndCountsThemAll()
    {
        var (first, owner) = await setup.TeamAsync();
        var (second, secondOwner) = await setup.TeamAsync();
        var (third, thirdOwner) = await setup.TeamAsync();
        await setup.Teams(t => t.AddMemberAsync(second, secondOwner, owner));
        await setup.Teams(t => t.AddMemberAsync(third, thirdOwner, owner));

        var page = await setup.Teams(t => t.GetTeamsPageAsync(owner, 2, 2));

        Assert.Equal([new[] { first, second, third }.Order(StringComparer.Ordinal).Last()], page.Items.Select(m => m.Team.Id));
        Assert.Equal((2, 2, 3L), (page.Page, page.PageSize, page.TotalCount));
    }

    [Fact]
    public async Task GetMembers_AsAMember_SeesOnlyThemselves()
    {
        var (teamId, owner) = await setup.TeamAsync();
        var member = await setup.MemberAsync(teamId, owner);
        await setup.MemberAsync(teamId, owner);

        var list = await setup.Teams(t => t.GetMembersAsync(teamId, member));

        Assert.Equal([member], list.Members.Select(m => m.UserId));
    }

    [Fact]
    public async Task GetMembers_AsAnAdmin_SeesEveryMember()
    {
        var (teamId, owner) = await setup.TeamAsync();
        var admin = await setup.MemberAsync(teamId, owner, CreditTeamRole.Admin);
        var member = await setup.MemberAsync(teamId, owner);

        var list = await setup.Teams(t => t.GetMembersAsync(teamId, admin));

        Assert.Equal(new[] { owner, admin, member }.Order(StringComparer.Ordinal), list.Members.Select(m => m.UserId));
    }

    [Fact]
    public async Task GetMembers_AsANonMember_RefusedAsNotMember()
    {
        var (teamId, _) = await setup.TeamAsync();

        var list = await setup.Teams(t => t.GetMembersAsync(teamId, TeamSetup.NewUser("stranger")));

        Assert.Equal((CreditTeamError.NotMember, 0), (list.Error, list.Members.Count));
    }
}

public sealed class SqliteTeamListingTests(SqliteCreditsDatabase database) : TeamListingTests<SqliteCreditsDatabase>(database);

public sealed class PostgresTeamListingTests(PostgresCreditsDatabase database) : TeamListingTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbTeamListingTests(MariaDbCreditsDatabase database) : TeamListingTests<MariaDbCreditsDatabase>(database);
