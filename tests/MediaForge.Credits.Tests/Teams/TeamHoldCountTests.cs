using MediaForge.Credits.Teams;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace MediaForge.Credits.Tests.Teams;

/// <summary>
/// What a team hold holds and counts against the member's limit in the edge cases: a product admin's hold holds and
/// counts nothing (and its capture charges nothing); a split hold whose own part covers it all counts nothing, even for
/// a member already over a limit lowered meanwhile. Image generation costs 3 credits.
/// </summary>
public abstract class TeamHoldCountTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 5, 10, 12, 0, 0, TimeSpan.Zero));

    private DateTime Period => CreditTeamPeriods.StartOf(clock.GetUtcNow(), null);

    private static Task<CreditReservationResult> HoldAsync(TeamSetup setup, string teamId, string member, long? amount = null) =>
        setup.Holds(h => h.ReserveCreditsAsync(member, "image-generation", "default", amount: amount, wallet: CreditWallet.Team(teamId)));

    [Fact]
    public async Task Reserve_ProductAdmin_HoldsNothingAndItsCaptureChargesNothing()
    {
        var setup = new TeamSetup(database, clock);
        var (teamId, owner) = await setup.TeamAsync();
        await setup.WithContextAsync(db => db.Users.Where(u => u.Id == owner).ExecuteUpdateAsync(s => s.SetProperty(u => u.IsAdmin, true)));
        await setup.FundAsync(teamId, 1);

        var hold = await HoldAsync(setup, teamId, owner);
        var capture = await setup.Holds(h => h.CaptureReservationAsync(hold.ReservationId!.Value));

        Assert.Equal((true, true, 0L), (hold.Success, capture.Success, capture.CreditsCharged));
        Assert.Equal((1L, 1L), await setup.WalletAsync(teamId));
        Assert.Equal([(owner, 0L, true)], await setup.UsageAsync(teamId));
        Assert.Equal(0L, await setup.SpentAsync(teamId, owner, Period));
    }

    [Fact]
    public async Task Reserve_OwnCreditsCoverAllWhileOverALoweredLimit_HoldsTheOwnCredits()
    {
        var setup = new TeamSetup(database, clock, o => o.Teams.FundingPolicy = CreditTeamFundingPolicy.PersonalFirst);
        var (teamId, owner) = await setup.TeamAsync();
        var member = await setup.MemberAsync(teamId, owner);
        Assert.True((await setup.Teams(t => t.SetMemberLimitAsync(teamId, owner, member, 10))).Success);
        await setup.FundAsync(teamId, 100);
        var first = await HoldAsync(setup, teamId, member, amount: 9);
        Assert.True((await setup.Holds(h => h.CaptureReservationAsync(first.ReservationId!.Value))).Success);
        Assert.True((await setup.Teams(t => t.SetMemberLimitAsync(teamId, owner, member, 5))).Success);
        await setup.GrantAsync(member, 6);

        var hold = await HoldAsync(setup, teamId, member, amount: 6);

        Assert.Equal((true, 6L), (hold.Success, hold.Amount));
        Assert.Equal((6L, 6L, 91L, 0L), await setup.RowsAsync(teamId, member));
        Assert.Equal(9L, await setup.SpentAsync(teamId, member, Period));
    }
}

public sealed class SqliteTeamHoldCountTests(SqliteCreditsDatabase database) : TeamHoldCountTests<SqliteCreditsDatabase>(database);

public sealed class PostgresTeamHoldCountTests(PostgresCreditsDatabase database) : TeamHoldCountTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbTeamHoldCountTests(MariaDbCreditsDatabase database) : TeamHoldCountTests<MariaDbCreditsDatabase>(database);
