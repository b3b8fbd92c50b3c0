using MediaForge.Credits.Entities;
using MediaForge.Credits.Teams;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace MediaForge.Credits.Tests.Teams;

/// <summary>
/// The late capture (<see cref="ICreditReservationService.CaptureExpiredReservationAsync"/>) of a split team hold that
/// lapsed: each wallet's share from what it can spend now (its lapsed credits written off first), all or nothing, once;
/// the pool's share counted against the member's limit again once the count went back. A Veo 2 video costs 15; under
/// <c>PersonalFirst</c> a hold of a member with 10 of their own holds 10 of theirs and 5 of the pool's.
/// </summary>
public abstract class TeamSplitHoldLateCaptureTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 5, 10, 12, 0, 0, TimeSpan.Zero));

    private DateTime Period => CreditTeamPeriods.StartOf(clock.GetUtcNow(), null);

    private TeamSetup Setup(CreditTeamFundingPolicy policy = CreditTeamFundingPolicy.PersonalFirst) => new(database, clock, o => o.Teams.FundingPolicy = policy);

    /// <summary>A split hold of 15 (10 own, 5 pool) that lapsed a minute ago.</summary>
    private async Task<(TeamSetup Setup, string TeamId, string Member, Guid Hold)> LapsedAsync(long? limit = null,
        CreditTeamFundingPolicy policy = CreditTeamFundingPolicy.PersonalFirst)
    {
        var setup = Setup(policy);
        var (teamId, member) = await setup.SplitTeamAsync(pool: 100, own: 10, limit);
        var hold = await setup.TeamHoldAsync(teamId, member);
        Assert.True(hold.Success);
        clock.Advance(TimeSpan.FromMinutes(6));
        return (setup, teamId, member, hold.ReservationId!.Value);
    }

    private static Task<CreditReservationSettlement> CaptureLateAsync(TeamSetup setup, Guid hold) =>
        setup.Holds(h => h.CaptureExpiredReservationAsync(hold));

    [Fact]
    public async Task CaptureLate_LapsedSplitHold_ChargesEachWalletItsShareWithOneUsageLog()
    {
        var (setup, teamId, member, hold) = await LapsedAsync();

        var late = await CaptureLateAsync(setup, hold);

        Assert.Equal((true, ReservationStatus.Captured, 15L, 95L), (late.Success, late.Status, late.CreditsCharged, late.Balance));
        Assert.Equal((0L, 0L, 95L, 0L), await setup.RowsAsync(teamId, member));
        Assert.Equal([(member, 15L, false)], await setup.UsageAsync(teamId));
        Assert.Equal((0L, 0L), await setup.OwnAsync(member));
        Assert.Equal((95L, 95L), await setup.WalletAsync(teamId));
        Assert.Equal(5L, await setup.SpentAsync(teamId, member, Period));
    }

    [Fact]
    public async Task CaptureLate_AfterTheSweepGaveTheCountBack_CountsThePoolsShareAgain()
    {
        var (setup, teamId, member, hold) = await LapsedAsync(limit: 5);
        await setup.Holds(h => h.ExpireReservationsAsync());
        Assert.Equal(0L, await setup.SpentAsync(teamId, member, Period));

        var late = await CaptureLateAsync(setup, hold);

        Assert.True(late.Success);
        Assert.Equal((0L, 0L, 95L, 0L), await setup.RowsAsync(teamId, member));
        Assert.Equal(5L, await setup.SpentAsync(teamId, member, Period));
    }

    [Fact]
    public async Task CaptureLate_PoolsShareNoLongerFitsTheLimit_ChargesNothing()
    {
        var (setup, teamId, member, hold) = await LapsedAsync(limit: 5);
        await setup.Holds(h => h.ExpireReservationsAsync());
        await LowerLimitAsync(setup, teamId, member, 4);

        var late = await CaptureLateAsync(setup, hold);

        Assert.Equal((false, ReservationStatus.Expired), (late.Success, late.Status));
        Assert.Equal((10L, 0L, 100L, 0L), await setup.RowsAsync(teamId, member));
        Assert.Equal(0L, await setup.SpentAsync(teamId, member, Period));
    }

    [Fact]
    public async Task CaptureLate_MemberCannotPayTheirShareNow_ChargesNeitherWalletAndGivesTheCountBack()
    {
        var (setup, teamId, member, hold) = await LapsedAsync();
        // The member's own spend finds the part lapsed and takes 8 of their 10.
        Assert.True((await setup.Credits(c => c.DeductCreditsAsync(member, "video-generation", "hailuo"))).Success);

        var late = await CaptureLateAsync(setup, hold);

        Assert.Equal((false, ReservationStatus.Expired), (late.Success, late.Status));
        Assert.Equal((2L, 0L, 100L, 0L), await setup.RowsAsync(teamId, member));
        Assert.Equal(0L, await setup.SpentAsync(teamId, member, Period));
        Assert.Empty(await setup.UsageAsync(teamId));
    }

    [Fact]
    public async Task CaptureLate_TeamFirst_TakesThePoolsShareFirst()
    {
        var (setup, teamId, member, hold) = await LapsedAsync(policy: CreditTeamFundingPolicy.TeamFirst);

        var late = await setup.Holds(h => h.CaptureExpiredReservationAsync(hold, 12));

        Assert.Equal((true, 12L), (late.Success, late.CreditsCharged));
        Assert.Equal((10L, 0L, 88L, 0L), await setup.RowsAsync(teamId, member));
    }

    [Fact]
    public async Task CaptureLate_DeliveredAgain_ChargesOnce()
    {
        var (setup, teamId, member, hold) = await LapsedAsync();

        await CaptureLateAsync(setup, hold);
        var again = await CaptureLateAsync(setup, hold);

        Assert.Equal((true, 15L), (again.Success, again.CreditsCharged));
        Assert.Equal((0L, 0L, 95L, 0L), await setup.RowsAsync(teamId, member));
        Assert.Single(await setup.UsageAsync(teamId));
    }

    [Fact]
    public async Task CaptureLate_TenAtOnce_ChargeOnce()
    {
        var (setup, teamId, member, hold) = await LapsedAsync();

        var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Task.Run(() => CaptureLateAsync(setup, hold))));

        Assert.All(results, r => Assert.Equal((true, 15L), (r.Success, r.CreditsCharged)));
        Assert.Equal((0L, 0L, 95L, 0L), await setup.RowsAsync(teamId, member));
        Assert.Single(await setup.UsageAsync(teamId));
        Assert.Equal(5L, await setup.SpentAsync(teamId, member, Period));
    }

    [Fact]
    public async Task CaptureLate_PoolCanSpendExactlyItsShare_ChargesBothWallets()
    {
        var setup = Setup();
        var (teamId, member) = await setup.SplitTeamAsync(pool: 5, own: 10);
        var hold = await setup.TeamHoldAsync(teamId, member);
        clock.Advance(TimeSpan.FromMinutes(6));

        var late = await CaptureLateAsync(setup, hold.ReservationId!.Value);

        Assert.Equal((true, 15L), (late.Success, late.CreditsCharged));
        Assert.Equal((0L, 0L, 0L, 0L), await setup.RowsAsync(teamId, member));
    }

    [Fact]
    public async Task CaptureLate_PoolsOtherHoldsLeaveLessThanItsShare_ChargesNothing()
    {
        var setup = Setup();
        var (teamId, member) = await setup.SplitTeamAsync(pool: 10, own: 10);
        var hold = await setup.TeamHoldAsync(teamId, member);
        clock.Advance(TimeSpan.FromMinutes(6));
        // The owner's hold of 6 finds 5 of the pool's 10 held: it expires the lapsed hold in passing and holds 6, leaving 4.
        var owner = (await setup.RolesAsync(teamId)).Single(r => r.Role == CreditTeamRole.Owner).UserId;
        Assert.True((await setup.Holds(h => h.ReserveCreditsAsync(owner, "video-generation", "veo2", TimeSpan.FromHours(1), amount: 6,
            wallet: CreditWallet.Team(teamId)))).Success);

        var late = await CaptureLateAsync(setup, hold.ReservationId!.Value);

        Assert.Equal((false, ReservationStatus.Expired), (late.Success, late.Status));
        Assert.Equal((10L, 0L, 10L, 6L), await setup.RowsAsync(teamId, member));
        Assert.Empty(await setup.UsageAsync(teamId));
    }

    [Fact]
    public async Task CaptureLate_BothWalletsExpiringCreditsLapsed_WritesTheLapsesFirstAndChargesWhatIsLeft()
    {
        // The pool: 100, and 20 lapsing in 3 minutes; the member: 4, and 6 lapsing then (the hold takes 10 of theirs, 5 of
        // the pool's), then 10 more after the hold. At the late capture both expiring lots have lapsed.
        var setup = Setup();
        var (teamId, member) = await setup.FundedMemberAsync(pool: 100);
        var lapse = clock.GetUtcNow().AddMinutes(3);
        await setup.FundAsync(teamId, 20, lapse);
        await setup.GrantAsync(member, 4);
        await setup.Credits(c => c.AddExpiringCreditsAsync(member, 6, CreditTransactionType.Bonus, "Own credits", lapse));
        var hold = await setup.TeamHoldAsync(teamId, member);
        Assert.True(hold.Success);
        await setup.GrantAsync(member, 10);
        clock.Advance(TimeSpan.FromMinutes(6));

        var late = await CaptureLateAsync(setup, hold.ReservationId!.Value);

        Assert.Equal((true, 15L, 95L), (late.Success, late.CreditsCharged, late.Balance));
        Assert.Equal((95L, 95L), await setup.WalletAsync(teamId));
        Assert.Equal((4L, 4L), await setup.OwnAsync(member));
    }

    private static async Task LowerLimitAsync(TeamSetup setup, string teamId, string member, long limit)
    {
        var owner = (await setup.RolesAsync(teamId)).Single(r => r.Role == CreditTeamRole.Owner).UserId;
        Assert.True((await setup.Teams(t => t.SetMemberLimitAsync(teamId, owner, member, limit))).Success);
    }
}

public sealed class SqliteTeamSplitHoldLateCaptureTests(SqliteCreditsDatabase database) : TeamSplitHoldLateCaptureTests<SqliteCreditsDatabase>(database);

public sealed class PostgresTeamSplitHoldLateCaptureTests(PostgresCreditsDatabase database) : TeamSplitHoldLateCaptureTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbTeamSplitHoldLateCaptureTests(MariaDbCreditsDatabase database) : TeamSplitHoldLateCaptureTests<MariaDbCreditsDatabase>(database);
