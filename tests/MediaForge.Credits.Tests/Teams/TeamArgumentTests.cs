using MediaForge.Credits.Tests.Infrastructure;

namespace MediaForge.Credits.Tests.Teams;

/// <summary>
/// The arguments <see cref="ICreditTeamService"/> refuses before it reads anything: each throws with the argument's
/// name, where a missing check would instead answer from the database (an unknown team, a non-member) or write.
/// </summary>
public abstract class TeamArgumentTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private const string MalformedTeamId = "org 1";

    private static readonly string User = TeamSetup.NewUser("user");

    private readonly TeamSetup setup = new(database);

    private async Task<ArgumentException> ThrowsAsync(Func<ICreditTeamService, Task> action) =>
        await Assert.ThrowsAnyAsync<ArgumentException>(() => setup.Teams(async t => { await action(t); return true; }));

    [Theory]
    [InlineData("add")]
    [InlineData("remove")]
    [InlineData("role")]
    [InlineData("limit")]
    [InlineData("default limit")]
    [InlineData("ownership")]
    [InlineData("members")]
    [InlineData("purchase")]
    [InlineData("team")]
    [InlineData("transactions")]
    [InlineData("balance")]
    public async Task TeamOperation_MalformedTeamId_ThrowsForTheTeamId(string operation)
    {
        var thrown = await ThrowsAsync(t => operation switch
        {
            "add" => t.AddMemberAsync(MalformedTeamId, User, User),
            "remove" => t.RemoveMemberAsync(MalformedTeamId, User, User),
            "role" => t.ChangeRoleAsync(MalformedTeamId, User, User, CreditTeamRole.Admin),
            "limit" => t.SetMemberLimitAsync(MalformedTeamId, User, User, 5),
            "default limit" => t.SetDefaultMemberLimitAsync(MalformedTeamId, User, 5),
            "ownership" => t.TransferOwnershipAsync(MalformedTeamId, User, User),
            "members" => t.GetMembersAsync(MalformedTeamId, User),
            "purchase" => t.StartPurchaseAsync(MalformedTeamId, User, "pro", "stripe"),
            "team" => t.GetTeamAsync(MalformedTeamId),
            "balance" => t.GetBalanceAsync(MalformedTeamId),
            _ => t.GetTransactionsAsync(MalformedTeamId),
        });

        Assert.Equal("teamId", thrown.ParamName);
    }

    [Fact]
    public async Task AddMember_BlankActorId_ThrowsForTheActorId()
    {
        var (teamId, _) = await setup.TeamAsync();

        Assert.Equal("actorId", (await ThrowsAsync(t => t.AddMemberAsync(teamId, " ", User))).ParamName);
    }

    [Fact]
    public async Task TransferOwnership_BlankNewOwnerId_ThrowsForTheNewOwnerId()
    {
        var (teamId, owner) = await setup.TeamAsync();

        Assert.Equal("newOwnerId", (await ThrowsAsync(t => t.TransferOwnershipAsync(teamId, owner, " "))).ParamName);
    }

    [Fact]
    public async Task AddMember_ReservedUserId_ThrowsForTheUserIdAndAddsNoOne()
    {
        var (teamId, owner) = await setup.TeamAsync();

        Assert.Equal("userId", (await ThrowsAsync(t => t.AddMemberAsync(teamId, owner, "mf:team:" + teamId))).ParamName);
        Assert.Equal([(owner, CreditTeamRole.Owner)], await setup.RolesAsync(teamId));
    }

    [Fact]
    public async Task AddMember_UndefinedRole_ThrowsNotATeamRole()
    {
        var thrown = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() =>
            setup.Teams(t => t.AddMemberAsync(TeamSetup.NewTeamId(), User, User, (CreditTeamRole)42)));

        Assert.Equal(("role", (object?)(CreditTeamRole)42), (thrown.ParamName, thrown.ActualValue));
        Assert.StartsWith("Not a team role.", thrown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ChangeRole_UndefinedRole_ThrowsNotATeamRole()
    {
        var thrown = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() =>
            setup.Teams(t => t.ChangeRoleAsync(TeamSetup.NewTeamId(), User, User, (CreditTeamRole)42)));

        Assert.Equal(("role", (object?)(CreditTeamRole)42), (thrown.ParamName, thrown.ActualValue));
        Assert.StartsWith("Not a team role.", thrown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SetDefaultMemberLimit_Negative_ThrowsForTheLimit()
    {
        var thrown = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => setup.Teams(t => t.SetDefaultMemberLimitAsync(TeamSetup.NewTeamId(), User, -1)));

        Assert.Equal("limit", thrown.ParamName);
    }

    [Fact]
    public async Task StartPurchase_BlankPackageId_ThrowsForThePackageId() =>
        Assert.Equal("packageId", (await ThrowsAsync(t => t.StartPurchaseAsync(TeamSetup.NewTeamId(), User, " ", "stripe"))).ParamName);

    [Fact]
    public async Task StartPurchase_BlankProvider_ThrowsForTheProvider() =>
        Assert.Equal("provider", (await ThrowsAsync(t => t.StartPurchaseAsync(TeamSetup.NewTeamId(), User, "pro", " "))).ParamName);

    [Fact]
    public async Task CreateTeam_BlankName_ThrowsForTheNameAndCreatesNothing()
    {
        var teamId = TeamSetup.NewTeamId();

        Assert.Equal("name", (await ThrowsAsync(t => t.CreateTeamAsync(teamId, "   ", User))).ParamName);
        Assert.Null(await setup.Teams(t => t.GetTeamAsync(teamId)));
    }

    [Fact]
    public async Task CreateTeam_NameWithAControlCharacter_ThrowsForTheNameAndCreatesNothing()
    {
        var teamId = TeamSetup.NewTeamId();

        var thrown = await ThrowsAsync(t => t.CreateTeamAsync(teamId, "Render\tcrew", User));

        Assert.Equal("name", thrown.ParamName);
        Assert.StartsWith("A team name has 1 to 200 characters and no control characters.", thrown.Message, StringComparison.Ordinal);
        Assert.Null(await setup.Teams(t => t.GetTeamAsync(teamId)));
    }

    [Fact]
    public async Task CreateTeam_NameOfExactly200Characters_Created()
    {
        var name = new string('n', 200);

        var result = await setup.Teams(t => t.CreateTeamAsync(TeamSetup.NewTeamId(), name, TeamSetup.NewUser("owner")));

        Assert.Equal((CreditTeamError.None, name), (result.Error, result.Team!.Name));
    }

    [Fact]
    public async Task GetTeams_BlankUserId_ThrowsForTheUserId() =>
        Assert.Equal("userId", (await ThrowsAsync(t => t.GetTeamsAsync(" "))).ParamName);

    [Fact]
    public async Task GetTeamsPage_BlankUserId_ThrowsForTheUserId() =>
        Assert.Equal("userId", (await ThrowsAsync(t => t.GetTeamsPageAsync(" ", 1, 10))).ParamName);

    [Fact]
    public async Task GetTeamsPage_PageZero_ThrowsForThePage()
    {
        var thrown = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => setup.Teams(t => t.GetTeamsPageAsync(User, 0, 10)));

        Assert.Equal("page", thrown.ParamName);
    }

    [Fact]
    public async Task GetTransactions_PageZero_ThrowsForThePage()
    {
        var thrown = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => setup.Teams(t => t.GetTransactionsAsync(TeamSetup.NewTeamId(), 0)));

        Assert.Equal("page", thrown.ParamName);
    }
}

public sealed class SqliteTeamArgumentTests(SqliteCreditsDatabase database) : TeamArgumentTests<SqliteCreditsDatabase>(database);

public sealed class PostgresTeamArgumentTests(PostgresCreditsDatabase database) : TeamArgumentTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbTeamArgumentTests(MariaDbCreditsDatabase database) : TeamArgumentTests<MariaDbCreditsDatabase>(database);
