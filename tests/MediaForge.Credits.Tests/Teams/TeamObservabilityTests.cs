using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace MediaForge.Credits.Tests.Teams;

/// <summary>What team commands tell the host's logs: each change with the member it was about and who made it, each refusal with its reason.</summary>
public abstract class TeamObservabilityTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private readonly FakeLogCollector logs = new();

    private ServiceProvider? services;

    private ServiceProvider Services => services ??= database.BuildServices(database.ConnectionString, o => o.Teams.Enabled = true,
        configureServices: s => s.AddLogsTo(logs));

    private async Task<T> Teams<T>(Func<ICreditTeamService, Task<T>> action)
    {
        await using var scope = Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<ICreditTeamService>());
    }

    /// <summary>A new team and its owner, with the logs of its creation cleared.</summary>
    private async Task<(string TeamId, string Owner)> TeamAsync()
    {
        var (teamId, owner) = (TeamSetup.NewTeamId(), TeamSetup.NewUser("owner"));
        Assert.True((await Teams(t => t.CreateTeamAsync(teamId, "Render crew", owner))).Success);
        logs.Clear();
        return (teamId, owner);
    }

    private async Task<string> MemberAsync(string teamId, string owner)
    {
        var member = TeamSetup.NewUser("member");
        Assert.True((await Teams(t => t.AddMemberAsync(teamId, owner, member))).Success);
        logs.Clear();
        return member;
    }

    private string Logged(int eventId) => Assert.Single(logs.GetSnapshot(), r => r.Id.Id == eventId).Message;

    [Fact]
    public async Task CreateTeam_Created_LogsTheCreationOfTheOwner()
    {
        var (teamId, owner) = (TeamSetup.NewTeamId(), TeamSetup.NewUser("owner"));

        await Teams(t => t.CreateTeamAsync(teamId, "Render crew", owner));

        Assert.Equal($"Team {teamId}: create of {owner} by {owner}", Logged(1701));
    }

    [Fact]
    public async Task CreateTeam_ExistingId_LogsTheRefusalAsTeamExists()
    {
        var (teamId, _) = await TeamAsync();
        var other = TeamSetup.NewUser("other");

        await Teams(t => t.CreateTeamAsync(teamId, "Takeover", other));

        Assert.Equal($"Team {teamId}: create by {other} refused: TeamExists", Logged(1702));
        Assert.DoesNotContain(logs.GetSnapshot(), r => r.Id.Id == 1701);
    }

    [Fact]
    public async Task AddMember_Added_LogsTheUserAddedAndTheActor()
    {
        var (teamId, owner) = await TeamAsync();
        var user = TeamSetup.NewUser("new");

        await Teams(t => t.AddMemberAsync(teamId, owner, user));

        Assert.Equal($"Team {teamId}: add of {user} by {owner}", Logged(1701));
    }

    [Fact]
    public async Task AddMember_ByANonMember_LogsTheRefusalAsNotMember()
    {
        var (teamId, _) = await TeamAsync();
        var stranger = TeamSetup.NewUser("stranger");

        await Teams(t => t.AddMemberAsync(teamId, stranger, TeamSetup.NewUser("friend")));

        Assert.Equal($"Team {teamId}: add by {stranger} refused: NotMember", Logged(1702));
    }

    [Fact]
    public async Task RemoveMember_Removed_LogsTheRemovalAndTheActor()
    {
        var (teamId, owner) = await TeamAsync();
        var member = await MemberAsync(teamId, owner);

        await Teams(t => t.RemoveMemberAsync(teamId, owner, member));

        Assert.Equal($"Team {teamId}: remove of {member} by {owner}", Logged(1701));
    }

    [Fact]
    public async Task ChangeRole_Changed_LogsTheNewRoleOfTheMember()
    {
        var (teamId, owner) = await TeamAsync();
        var member = await MemberAsync(teamId, owner);

        await Teams(t => t.ChangeRoleAsync(teamId, owner, member, CreditTeamRole.Admin));

        Assert.Equal($"Team {teamId}: role Admin of {member} by {owner}", Logged(1701));
    }

    [Fact]
    public async Task SetMemberLimit_Set_LogsTheLimitOfTheMember()
    {
        var (teamId, owner) = await TeamAsync();
        var member = await MemberAsync(teamId, owner);

        await Teams(t => t.SetMemberLimitAsync(teamId, owner, member, 40));

        Assert.Equal($"Team {teamId}: limit of {member} by {owner}", Logged(1701));
    }

    [Fact]
    public async Task SetDefaultMemberLimit_Set_LogsTheDefaultLimitByTheOwner()
    {
        var (teamId, owner) = await TeamAsync();

        await Teams(t => t.SetDefaultMemberLimitAsync(teamId, owner, 40));

        Assert.Equal($"Team {teamId}: default limit of {owner} by {owner}", Logged(1701));
    }

    [Fact]
    public async Task TransferOwnership_Transferred_LogsTheNewOwner()
    {
        var (teamId, owner) = await TeamAsync();
        var member = await MemberAsync(teamId, owner);

        await Teams(t => t.TransferOwnershipAsync(teamId, owner, member));

        Assert.Equal($"Team {teamId}: ownership of {member} by {owner}", Logged(1701));
    }

    [Fact]
    public async Task StartPurchase_ByANonMember_LogsTheRefusedPurchase()
    {
        var (teamId, _) = await TeamAsync();
        var stranger = TeamSetup.NewUser("stranger");

        await Teams(t => t.StartPurchaseAsync(teamId, stranger, "pro", "stripe"));

        Assert.Equal($"Team {teamId}: purchase by {stranger} refused: NotMember", Logged(1702));
    }

    [Fact]
    public async Task StartPurchase_Started_LogsThePurchaseAndItsBuyer()
    {
        var (teamId, owner) = await TeamAsync();

        var started = await Teams(t => t.StartPurchaseAsync(teamId, owner, "pro", "stripe"));

        Assert.Equal($"Team {teamId} purchase {started.Purchase!.Id} of package pro started by {owner}", Logged(1703));
    }
}

public sealed class SqliteTeamObservabilityTests(SqliteCreditsDatabase database) : TeamObservabilityTests<SqliteCreditsDatabase>(database);

public sealed class PostgresTeamObservabilityTests(PostgresCreditsDatabase database) : TeamObservabilityTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbTeamObservabilityTests(MariaDbCreditsDatabase database) : TeamObservabilityTests<MariaDbCreditsDatabase>(database);
