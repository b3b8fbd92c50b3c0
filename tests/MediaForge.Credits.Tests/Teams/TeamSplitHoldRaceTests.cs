using MediaForge.Credits.Teams;
using MediaForge.Credits.Tests.Infrastructure;

namespace MediaForge.Credits.Tests.Teams;

/// <summary>
/// Members racing split holds (<see cref="CreditTeamFundingPolicy.PersonalFirst"/>) on one pool, each with a limit and a
/// few credits of their own: the pool is never held or charged past its credits, no member past their limit or their own
/// credits, and the captures charge exactly what was held.
/// </summary>
public abstract class TeamSplitHoldRaceTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private const int Members = 12;

    private readonly TeamSetup setup = new(database, configure: o => o.Teams.FundingPolicy = CreditTeamFundingPolicy.PersonalFirst);

    private static DateTime Period => CreditTeamPeriods.StartOf(TimeProvider.System.GetUtcNow(), null);

    [Fact]
    public async Task ReserveAndCapture_MembersRacingSplitHoldsOnOnePool_NeverOvershootThePoolTheLimitsOrTheirOwn()
    {
        var (teamId, owner) = await setup.TeamAsync();
        var members = new List<string>();
        for (var i = 0; i < Members; i++)
        {
            var member = await setup.MemberAsync(teamId, owner);
            Assert.True((await setup.Teams(t => t.SetMemberLimitAsync(teamId, owner, member, 6))).Success);
            await setup.GrantAsync(member, 3);
            members.Add(member);
        }

        // Each hold of 5 takes the member's 3 and 2 of the pool; a second one would take 5 more of the pool: over the limit of 6.
        await setup.FundAsync(teamId, 15);

        var holds = await Task.WhenAll(members.SelectMany(m => new[] { m, m, m }).Select(m => Task.Run(async () =>
            (Member: m, Hold: await setup.Holds(h => h.ReserveCreditsAsync(m, "image-generation", "default", amount: 5, wallet: CreditWallet.Team(teamId)))))));
        var placed = holds.Where(h => h.Hold.Success).ToList();
        var captured = await Task.WhenAll(placed.Select(h => Task.Run(() => setup.Holds(s => s.CaptureReservationAsync(h.Hold.ReservationId!.Value)))));

        Assert.Equal(7, placed.Count); // 7 × 2 of the pool's 15
        Assert.All(captured, c => Assert.Equal((true, 5L), (c.Success, c.CreditsCharged)));
        Assert.Equal((1L, 1L), await setup.WalletAsync(teamId));
        foreach (var member in members)
        {
            var mine = placed.Count(h => h.Member == member);
            Assert.InRange(mine, 0, 1);
            Assert.Equal(mine * 2L, await setup.SpentAsync(teamId, member, Period));
            Assert.Equal(mine == 1 ? (0L, 0L) : (3L, 3L), await setup.OwnAsync(member));
        }
    }
}

public sealed class SqliteTeamSplitHoldRaceTests(SqliteCreditsDatabase database) : TeamSplitHoldRaceTests<SqliteCreditsDatabase>(database);

public sealed class PostgresTeamSplitHoldRaceTests(PostgresCreditsDatabase database) : TeamSplitHoldRaceTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbTeamSplitHoldRaceTests(MariaDbCreditsDatabase database) : TeamSplitHoldRaceTests<MariaDbCreditsDatabase>(database);
