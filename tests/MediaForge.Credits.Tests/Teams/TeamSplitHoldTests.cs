using MediaForge.Credits.Entities;
using MediaForge.Credits.Events;
using MediaForge.Credits.Storage;
using MediaForge.Credits.Teams;
using MediaForge.Credits.Tests.Events;
using MediaForge.Credits.Tests.Infrastructure;
using MediaForge.Credits.TopUps;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace MediaForge.Credits.Tests.Teams;

/// <summary>
/// Team holds under the funding policies: a split hold holds the member's own part and the pool's in one transaction;
/// the limit counts the pool's part only; a capture charges each wallet its share (the policy's order of spending) with
/// one usage log; a release, an expiry or a refund gives each part back once. Video generation with Veo 2 costs 15.
/// </summary>
public abstract class TeamSplitHoldTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 5, 10, 12, 0, 0, TimeSpan.Zero));

    private DateTime Period => CreditTeamPeriods.StartOf(clock.GetUtcNow(), null);

    private TeamSetup Setup(CreditTeamFundingPolicy policy) => new(database, clock, o => o.Teams.FundingPolicy = policy);

    private static Task<CreditReservationResult> HoldAsync(TeamSetup setup, string teamId, string member, long? amount = null, string? key = null) =>
        setup.TeamHoldAsync(teamId, member, amount, key);

    private static Task<CreditReservationSettlement> CaptureAsync(TeamSetup setup, CreditReservationResult hold, long? amount = null) =>
        setup.Holds(h => h.CaptureReservationAsync(hold.ReservationId!.Value, amount));

    private static Task<(string TeamId, string Member)> TeamAsync(TeamSetup setup, long pool, long own, long? limit = null) =>
        setup.SplitTeamAsync(pool, own, limit);

    private static Task<(long Own, long OwnHeld, long Pool, long PoolHeld)> RowsAsync(TeamSetup setup, string teamId, string member) =>
        setup.RowsAsync(teamId, member);

    [Fact]
    public async Task Reserve_PersonalFirst_HoldsTheMembersOwnThenThePool()
    {
        var setup = Setup(CreditTeamFundingPolicy.PersonalFirst);
        var (teamId, member) = await TeamAsync(setup, pool: 100, own: 10);

        var hold = await HoldAsync(setup, teamId, member);

        Assert.Equal((true, 15L, 95L), (hold.Success, hold.Amount, hold.Available));
        Assert.Equal((10L, 10L, 100L, 5L), await RowsAsync(setup, teamId, member));
        Assert.Equal(5L, await setup.SpentAsync(teamId, member, Period));
    }

    [Fact]
    public async Task Reserve_TeamFirst_HoldsThePoolUpToTheLimitThenTheMembersOwn()
    {
        var setup = Setup(CreditTeamFundingPolicy.TeamFirst);
        var (teamId, member) = await TeamAsync(setup, pool: 100, own: 10, limit: 9);

        var hold = await HoldAsync(setup, teamId, member);

        Assert.Equal((true, 15L), (hold.Success, hold.Amount));
        Assert.Equal((10L, 6L, 100L, 9L), await RowsAsync(setup, teamId, member));
        Assert.Equal(9L, await setup.SpentAsync(teamId, member, Period));
    }

    [Fact]
    public async Task Reserve_TeamFirstWithTooFewOwnCredits_IsRefusedAndHoldsNothing()
    {
        var setup = Setup(CreditTeamFundingPolicy.TeamFirst);
        var (teamId, member) = await TeamAsync(setup, pool: 10, own: 2);

        var hold = await HoldAsync(setup, teamId, member);

        Assert.Equal((false, CreditDeductionError.InsufficientCredits), (hold.Success, hold.Error));
        Assert.Equal((2L, 0L, 10L, 0L), await RowsAsync(setup, teamId, member));
        Assert.Equal(0L, await setup.SpentAsync(teamId, member, Period));
    }

    [Fact]
    public async Task Reserve_PersonalFirstOverTheLimit_IsRefused()
    {
        var setup = Setup(CreditTeamFundingPolicy.PersonalFirst);
        var (teamId, member) = await TeamAsync(setup, pool: 100, own: 10, limit: 4);

        var hold = await HoldAsync(setup, teamId, member);

        Assert.Equal(CreditDeductionError.MemberLimitReached, hold.Error);
        Assert.Equal((10L, 0L, 100L, 0L), await RowsAsync(setup, teamId, member));
    }

    [Fact]
    public async Task Capture_SplitHoldInFull_ChargesEachWalletItsPartWithOneUsageLog()
    {
        var setup = Setup(CreditTeamFundingPolicy.PersonalFirst);
        var (teamId, member) = await TeamAsync(setup, pool: 100, own: 10);
        var hold = await HoldAsync(setup, teamId, member);

        var captured = await CaptureAsync(setup, hold);

        Assert.Equal((true, 15L, 95L), (captured.Success, captured.CreditsCharged, captured.Balance));
        Assert.Equal((0L, 0L, 95L, 0L), await RowsAsync(setup, teamId, member));
        Assert.Equal([(member, 15L, false)], await setup.UsageAsync(teamId));
        Assert.Equal((0L, 0L), await setup.OwnAsync(member));
        Assert.Equal((95L, 95L), await setup.WalletAsync(teamId));
        Assert.Equal(5L, await setup.SpentAsync(teamId, member, Period));
    }

    [Fact]
    public async Task Capture_LessThanHeldUnderPersonalFirst_GivesThePoolBackFirst()
    {
        var setup = Setup(CreditTeamFundingPolicy.PersonalFirst);
        var (teamId, member) = await TeamAsync(setup, pool: 100, own: 10);
        var hold = await HoldAsync(setup, teamId, member);

        var captured = await CaptureAsync(setup, hold, 12);

        Assert.Equal((true, 12L), (captured.Success, captured.CreditsCharged));
        Assert.Equal((0L, 0L, 98L, 0L), await RowsAsync(setup, teamId, member));
        Assert.Equal(2L, await setup.SpentAsync(teamId, member, Period));
        Assert.Equal([(member, 12L, false)], await setup.UsageAsync(teamId));
    }

    [Fact]
    public async Task Capture_LessThanHeldUnderTeamFirst_GivesTheMembersOwnBackFirst()
    {
        var setup = Setup(CreditTeamFundingPolicy.TeamFirst);
        var (teamId, member) = await TeamAsync(setup, pool: 100, own: 10, limit: 9);
        var hold = await HoldAsync(setup, teamId, member);

        var captured = await CaptureAsync(setup, hold, 12);

        Assert.Equal((true, 12L), (captured.Success, captured.CreditsCharged));
        Assert.Equal((7L, 0L, 91L, 0L), await RowsAsync(setup, teamId, member));
        Assert.Equal(9L, await setup.SpentAsync(teamId, member, Period));
    }

    [Fact]
    public async Task Capture_SplitHoldTenTimesAtOnce_ChargesOnce()
    {
        var setup = Setup(CreditTeamFundingPolicy.PersonalFirst);
        var (teamId, member) = await TeamAsync(setup, pool: 100, own: 10);
        var hold = await HoldAsync(setup, teamId, member);

        var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Task.Run(() => CaptureAsync(setup, hold))));

        Assert.All(results, r => Assert.Equal((true, 15L), (r.Success, r.CreditsCharged)));
        Assert.Single(results, r => !r.IsReplay);
        Assert.Equal((0L, 0L, 95L, 0L), await RowsAsync(setup, teamId, member));
        Assert.Single(await setup.UsageAsync(teamId));
    }

    [Fact]
    public async Task Release_SplitHoldTwice_GivesEachPartAndTheCountBackOnce()
    {
        var setup = Setup(CreditTeamFundingPolicy.PersonalFirst);
        var (teamId, member) = await TeamAsync(setup, pool: 100, own: 10);
        var hold = await HoldAsync(setup, teamId, member);

        var first = await setup.Holds(h => h.ReleaseReservationAsync(hold.ReservationId!.Value));
        var second = await setup.Holds(h => h.ReleaseReservationAsync(hold.ReservationId!.Value));

        Assert.Equal((true, false, true, true), (first.Success, first.IsReplay, second.Success, second.IsReplay));
        Assert.Equal((10L, 0L, 100L, 0L), await RowsAsync(setup, teamId, member));
        Assert.Equal(0L, await setup.SpentAsync(teamId, member, Period));
    }

    [Fact]
    public async Task Reserve_SameKeyTwice_HoldsBothPartsOnce()
    {
        var setup = Setup(CreditTeamFundingPolicy.PersonalFirst);
        var (teamId, member) = await TeamAsync(setup, pool: 100, own: 10);

        var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Task.Run(() => HoldAsync(setup, teamId, member, key: "job-1"))));

        Assert.All(results, r => Assert.Equal((true, 15L), (r.Success, r.Amount)));
        Assert.Single(results.Select(r => r.ReservationId).Distinct());
        Assert.Equal((10L, 10L, 100L, 5L), await RowsAsync(setup, teamId, member));
        Assert.Equal(5L, await setup.SpentAsync(teamId, member, Period));
    }

    [Fact]
    public async Task Sweep_LapsedSplitHoldTwice_GivesEachPartAndTheCountBackOnceWithOneEvent()
    {
        var setup = Setup(CreditTeamFundingPolicy.PersonalFirst);
        var (teamId, member) = await TeamAsync(setup, pool: 100, own: 10);
        var hold = await HoldAsync(setup, teamId, member);
        clock.Advance(TimeSpan.FromMinutes(6));

        Assert.True(await setup.Holds(h => h.ExpireReservationsAsync()) >= 1);
        await setup.Holds(h => h.ExpireReservationsAsync());

        Assert.Equal((10L, 0L, 100L, 0L), await RowsAsync(setup, teamId, member));
        Assert.Equal(0L, await setup.SpentAsync(teamId, member, Period));
        var expired = Assert.Single(await Outbox.EventsAsync<HoldExpired>(setup.Services, CreditWalletAccounts.TeamAccount(teamId)));
        Assert.Equal(hold.ReservationId, expired.ReservationId);
        Assert.Empty(await Outbox.EventsAsync<HoldExpired>(setup.Services, member));
        Assert.Equal(ReservationStatus.Expired, (await setup.Holds(h => h.CaptureReservationAsync(hold.ReservationId!.Value))).Status);
    }

    [Fact]
    public async Task Sweep_SplitHoldWhosePartLapsedInPassing_GivesThePoolAndTheCountBack()
    {
        var setup = Setup(CreditTeamFundingPolicy.PersonalFirst);
        var (teamId, member) = await TeamAsync(setup, pool: 100, own: 10);
        Assert.True((await HoldAsync(setup, teamId, member)).Success);
        clock.Advance(TimeSpan.FromMinutes(6));
        // The member's own spend finds the part lapsed and expires it in passing (nothing else is spendable).
        Assert.True((await setup.Credits(c => c.DeductCreditsAsync(member, "video-generation", "hailuo"))).Success);

        await setup.Holds(h => h.ExpireReservationsAsync());

        Assert.Equal((2L, 0L, 100L, 0L), await RowsAsync(setup, teamId, member));
        Assert.Equal(0L, await setup.SpentAsync(teamId, member, Period));
    }

    [Fact]
    public async Task Refund_CapturedSplitHoldTwice_RefundsEachWalletItsPartOnce()
    {
        var setup = Setup(CreditTeamFundingPolicy.PersonalFirst);
        var (teamId, member) = await TeamAsync(setup, pool: 100, own: 10);
        var captured = await CaptureAsync(setup, await HoldAsync(setup, teamId, member));

        await setup.Credits(c => c.RefundUsageAsync(captured.TransactionId!.Value, "job failed"));
        var again = await setup.Credits(c => c.RefundUsageAsync(captured.TransactionId!.Value, "job failed"));

        Assert.True(again.IsReplay);
        Assert.Equal((10L, 10L), await setup.OwnAsync(member));
        Assert.Equal((100L, 100L), await setup.WalletAsync(teamId));
        Assert.Equal(0L, await setup.SpentAsync(teamId, member, Period));
    }

    [Fact]
    public async Task Capture_SplitHoldTakingThePoolBelowItsAutoTopUpThreshold_CreatesOneTopUpForTheTeam()
    {
        var setup = Setup(CreditTeamFundingPolicy.TeamFirst);
        var (teamId, member) = await TeamAsync(setup, pool: 20, own: 50);
        var pool = CreditWalletAccounts.TeamAccount(teamId);
        await using (var scope = setup.Services.CreateAsyncScope())
        {
            var settings = scope.ServiceProvider.GetRequiredService<CreditAutoTopUps>();
            Assert.Equal(CreditAutoTopUpError.None, await settings.SaveAsync(pool, new CreditAutoTopUpChange(true, 10, "pro", 5, 100_000), default));
            await settings.SavePaymentMethodAsync(pool, "cus_team", "pm_team", default);
        }

        var hold = await HoldAsync(setup, teamId, member, 25); // 20 from the pool, 5 of the member's own
        Assert.True((await CaptureAsync(setup, hold)).Success);

        await using var check = setup.Services.CreateAsyncScope();
        var topUps = await check.ServiceProvider.GetRequiredService<CreditsDbContext>().Set<CreditTopUpRow>().AsNoTracking()
            .Where(t => t.WalletId == pool || t.WalletId == member).Select(t => t.WalletId).ToListAsync();
        Assert.Equal([pool], topUps);
    }
}

public sealed class SqliteTeamSplitHoldTests(SqliteCreditsDatabase database) : TeamSplitHoldTests<SqliteCreditsDatabase>(database);

public sealed class PostgresTeamSplitHoldTests(PostgresCreditsDatabase database) : TeamSplitHoldTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbTeamSplitHoldTests(MariaDbCreditsDatabase database) : TeamSplitHoldTests<MariaDbCreditsDatabase>(database);
