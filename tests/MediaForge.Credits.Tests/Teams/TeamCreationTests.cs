using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace MediaForge.Credits.Tests.Teams;

/// <summary>How a team is created and read back through <see cref="ICreditTeamService"/>, one rule per test, on a real database.</summary>
public abstract class TeamCreationTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private readonly TeamSetup setup = new(database);

    private Task<CreditTeamResult> Teams(Func<ICreditTeamService, Task<CreditTeamResult>> action) => setup.Teams(action);

    [Fact]
    public async Task CreateTeam_NewId_TheCreatorIsTheOnlyMemberAsOwnerAndTheWalletIsEmpty()
    {
        var (teamId, owner) = (TeamSetup.NewTeamId(), TeamSetup.NewUser("owner"));

        var result = await Teams(t => t.CreateTeamAsync(teamId, "  Render crew ", owner));

        Assert.Equal((CreditTeamError.None, "Render crew", CreditTeamStatus.Active), (result.Error, result.Team!.Name, result.Team.Status));
        Assert.Equal([(owner, CreditTeamRole.Owner)], await setup.RolesAsync(teamId));
        var balance = await setup.Teams(t => t.GetBalanceAsync(teamId));
        Assert.Equal(("mf:team:" + teamId, 0L, false), (balance!.UserId, balance.Balance, balance.IsUnlimited));
    }

    [Fact]
    public async Task CreateTeam_ExistingId_RefusedAsTeamExistsAndTheFirstOwnerStays()
    {
        var (teamId, owner) = await setup.TeamAsync();

        var result = await Teams(t => t.CreateTeamAsync(teamId, "Takeover", TeamSetup.NewUser("other")));

        Assert.Equal((CreditTeamError.TeamExists, "Render crew"), (result.Error, result.Team!.Name));
        Assert.Equal([(owner, CreditTeamRole.Owner)], await setup.RolesAsync(teamId));
    }

    [Fact]
    public async Task CreateTeam_TeamsOff_RefusedAsTeamsDisabledAndNothingWritten()
    {
        var off = database.BuildServices(database.ConnectionString);
        var teamId = TeamSetup.NewTeamId();

        await using (var scope = off.CreateAsyncScope())
        {
            var result = await scope.ServiceProvider.GetRequiredService<ICreditTeamService>().CreateTeamAsync(teamId, "Off", TeamSetup.NewUser("owner"));
            Assert.Equal(CreditTeamError.TeamsDisabled, result.Error);
        }

        Assert.Null(await setup.Teams(t => t.GetTeamAsync(teamId)));
    }

    [Fact]
    public async Task GetTeam_TeamsOff_Throws()
    {
        await using var scope = database.BuildServices(database.ConnectionString).CreateAsyncScope();

        await Assert.ThrowsAsync<InvalidOperationException>(() => scope.ServiceProvider.GetRequiredService<ICreditTeamService>().GetTeamAsync("org_1"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("org 1")]
    [InlineData("org\n1")]
    [InlineData("o12345678901234567890123456789012345678901234567890123456789012345")]
    public async Task CreateTeam_MalformedTeamId_Throws(string teamId) =>
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Teams(t => t.CreateTeamAsync(teamId, "x", TeamSetup.NewUser("owner"))));

    [Fact]
    public async Task CreateTeam_NameOver200Characters_Throws() =>
        await Assert.ThrowsAsync<ArgumentException>(() => Teams(t => t.CreateTeamAsync(TeamSetup.NewTeamId(), new string('n', 201), TeamSetup.NewUser("owner"))));

    [Fact]
    public async Task CreateTeam_OwnerIdInTheReservedSpace_Throws() =>
        await Assert.ThrowsAsync<ArgumentException>(() => Teams(t => t.CreateTeamAsync(TeamSetup.NewTeamId(), "x", "mf:team:other")));
}

public sealed class SqliteTeamCreationTests(SqliteCreditsDatabase database) : TeamCreationTests<SqliteCreditsDatabase>(database);

public sealed class PostgresTeamCreationTests(PostgresCreditsDatabase database) : TeamCreationTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbTeamCreationTests(MariaDbCreditsDatabase database) : TeamCreationTests<MariaDbCreditsDatabase>(database);
