using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace MediaForge.Credits.Tests.Teams;

/// <summary>
/// Teams turned off (the default) on a database that has teams: every command answers
/// <see cref="CreditTeamError.TeamsDisabled"/> and changes nothing; every read throws, saying which setting turns them on.
/// </summary>
public abstract class TeamsOffTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private readonly TeamSetup setup = new(database);

    private async Task<T> Off<T>(Func<ICreditTeamService, Task<T>> action)
    {
        await using var scope = database.BuildServices(database.ConnectionString).CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<ICreditTeamService>());
    }

    [Fact]
    public async Task AddMember_TeamsOff_RefusedAsTeamsDisabledAndNotAdded()
    {
        var (teamId, owner) = await setup.TeamAsync();

        var result = await Off(t => t.AddMemberAsync(teamId, owner, TeamSetup.NewUser("late")));

        Assert.Equal(CreditTeamError.TeamsDisabled, result.Error);
        Assert.Equal([(owner, CreditTeamRole.Owner)], await setup.RolesAsync(teamId));
    }

    [Fact]
    public async Task RemoveMember_TeamsOff_RefusedAsTeamsDisabledAndTheMemberKept()
    {
        var (teamId, owner) = await setup.TeamAsync();
        var member = await setup.MemberAsync(teamId, owner);

        var result = await Off(t => t.RemoveMemberAsync(teamId, owner, member));

        Assert.Equal(CreditTeamError.TeamsDisabled, result.Error);
        Assert.Contains((member, CreditTeamRole.Member), await setup.RolesAsync(teamId));
    }

    [Fact]
    public async Task ChangeRole_TeamsOff_RefusedAsTeamsDisabledAndTheRoleKept()
    {
        var (teamId, owner) = await setup.TeamAsync();
        var member = await setup.MemberAsync(teamId, owner);

        var result = await Off(t => t.ChangeRoleAsync(teamId, owner, member, CreditTeamRole.Admin));

        Assert.Equal(CreditTeamError.TeamsDisabled, result.Error);
        Assert.Contains((member, CreditTeamRole.Member), await setup.RolesAsync(teamId));
    }

    [Fact]
    public async Task SetMemberLimit_TeamsOff_RefusedAsTeamsDisabledAndNoLimitSet()
    {
        var (teamId, owner) = await setup.TeamAsync();
        var member = await setup.MemberAsync(teamId, owner);

        var result = await Off(t => t.SetMemberLimitAsync(teamId, owner, member, 5));

        Assert.Equal(CreditTeamError.TeamsDisabled, result.Error);
        var members = (await setup.Teams(t => t.GetMembersAsync(teamId, owner))).Members;
        Assert.Null(Assert.Single(members, m => m.UserId == member).Limit);
    }

    [Fact]
    public async Task SetDefaultMemberLimit_TeamsOff_RefusedAsTeamsDisabledAndNoDefaultSet()
    {
        var (teamId, owner) = await setup.TeamAsync();

        var result = await Off(t => t.SetDefaultMemberLimitAsync(teamId, owner, 5));

        Assert.Equal(CreditTeamError.TeamsDisabled, result.Error);
        Assert.Null((await setup.Teams(t => t.GetTeamAsync(teamId)))!.DefaultMemberLimit);
    }

    [Fact]
    public async Task TransferOwnership_TeamsOff_RefusedAsTeamsDisabledAndTheOwnerKept()
    {
        var (teamId, owner) = await setup.TeamAsync();
        var member = await setup.MemberAsync(teamId, owner);

        var result = await Off(t => t.TransferOwnershipAsync(teamId, owner, member));

        Assert.Equal(CreditTeamError.TeamsDisabled, result.Error);
        Assert.Equal(new[] { (owner, CreditTeamRole.Owner), (member, CreditTeamRole.Member) }.OrderBy(m => m.Item1, StringComparer.Ordinal),
            await setup.RolesAsync(teamId));
    }

    [Fact]
    public async Task StartPurchase_TeamsOff_RefusedAsTeamsDisabledWithNoPurchase()
    {
        var (teamId, owner) = await setup.TeamAsync();

        var result = await Off(t => t.StartPurchaseAsync(teamId, owner, "pro", "stripe"));

        Assert.Equal((false, CreditTeamError.TeamsDisabled, (CreditPurchaseEntry?)null), (result.Success, result.Error, result.Purchase));
    }

    [Fact]
    public async Task ReserveFromATeamWallet_TeamsOff_ThrowsNamingTheSettingAndHoldsNothing()
    {
        var (teamId, owner) = await setup.TeamAsync();
        await setup.FundAsync(teamId, 10);
        await using var scope = database.BuildServices(database.ConnectionString).CreateAsyncScope();
        var holds = scope.ServiceProvider.GetRequiredService<ICreditReservationService>();

        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(
            () => holds.ReserveCreditsAsync(owner, "image-generation", "default", wallet: CreditWallet.Team(teamId)));

        Assert.Equal("Teams are off: set MediaForge:Credits:Teams:Enabled (CreditsOptions.Teams.Enabled) to true to spend from a team's wallet.", thrown.Message);
        Assert.Equal(10L, (await setup.Teams(t => t.GetBalanceAsync(teamId)))!.Available);
    }

    [Fact]
    public async Task GetTeams_TeamsOff_ThrowsNamingTheSetting()
    {
        var (_, owner) = await setup.TeamAsync();

        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(() => Off(t => t.GetTeamsAsync(owner)));

        Assert.Equal("Teams are off: set MediaForge:Credits:Teams:Enabled (CreditsOptions.Teams.Enabled) to true.", thrown.Message);
    }

    [Fact]
    public async Task GetMembers_TeamsOff_Throws()
    {
        var (teamId, owner) = await setup.TeamAsync();

        await Assert.ThrowsAsync<InvalidOperationException>(() => Off(t => t.GetMembersAsync(teamId, owner)));
    }

    [Fact]
    public async Task GetBalance_TeamsOff_Throws()
    {
        var (teamId, _) = await setup.TeamAsync();

        await Assert.ThrowsAsync<InvalidOperationException>(() => Off(t => t.GetBalanceAsync(teamId)));
    }

    [Fact]
    public async Task GetTeamsPage_TeamsOff_Throws()
    {
        var (_, owner) = await setup.TeamAsync();

        await Assert.ThrowsAsync<InvalidOperationException>(() => Off(t => t.GetTeamsPageAsync(owner, 1, 10)));
    }
}

public sealed class SqliteTeamsOffTests(SqliteCreditsDatabase database) : TeamsOffTests<SqliteCreditsDatabase>(database);

public sealed class PostgresTeamsOffTests(PostgresCreditsDatabase database) : TeamsOffTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbTeamsOffTests(MariaDbCreditsDatabase database) : TeamsOffTests<MariaDbCreditsDatabase>(database);
