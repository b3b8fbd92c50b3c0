using MediaForge.Credits.Teams;
using MediaForge.Credits.Tests.Infrastructure;

namespace MediaForge.Credits.Tests.Teams;

/// <summary>
/// Holds of one limited member racing on a team's wallet: each takes the member's row lock before it reads the headroom,
/// so those that fit the limit are held and the rest refused as over it, none failing. An image holds 3.
/// </summary>
public abstract class TeamHoldRaceTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    [Fact]
    public async Task Reserve_TenHoldsOfOneLimitedMemberAtOnce_HoldUpToTheLimitAndRefuseTheRest()
    {
        var setup = new TeamSetup(database);
        await setup.TeamAsync(); // another team: the member's lock finds its own team's row among several
        var (teamId, member) = await setup.FundedMemberAsync(pool: 100, limit: 9);

        var holds = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Task.Run(() => setup.Holds(h =>
            h.ReserveCreditsAsync(member, "image-generation", "default", TimeSpan.FromMinutes(5), wallet: CreditWallet.Team(teamId))))));

        Assert.Equal(3, holds.Count(h => h.Success));
        Assert.All(holds.Where(h => !h.Success), h => Assert.Equal(CreditDeductionError.MemberLimitReached, h.Error));
        Assert.Equal(9L, await setup.SpentAsync(teamId, member, CreditTeamPeriods.StartOf(TimeProvider.System.GetUtcNow(), null)));
    }
}

public sealed class SqliteTeamHoldRaceTests(SqliteCreditsDatabase database) : TeamHoldRaceTests<SqliteCreditsDatabase>(database);

public sealed class PostgresTeamHoldRaceTests(PostgresCreditsDatabase database) : TeamHoldRaceTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbTeamHoldRaceTests(MariaDbCreditsDatabase database) : TeamHoldRaceTests<MariaDbCreditsDatabase>(database);
