using MediaForge.Credits.Entities;
using MediaForge.Credits.Teams;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace MediaForge.Credits.Tests.Teams;

/// <summary>
/// A team hold that expires gives its amount back to the member's limit, exactly once: by the sweeper, by a release or a
/// capture that finds it lapsed, and (for a hold a debit expired in passing) by the sweeper's second pass. A late capture
/// of a hold whose count was given back counts its charge again, within the limit. Holds live 5 minutes; image
/// generation costs 3 credits.
/// </summary>
public abstract class TeamHoldExpiryTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 5, 10, 12, 0, 0, TimeSpan.Zero));
    private TeamSetup? setup;

    private TeamSetup Setup => setup ??= new TeamSetup(database, clock);

    private DateTime Period => CreditTeamPeriods.StartOf(clock.GetUtcNow(), null);

    private Task<CreditReservationResult> HoldAsync(string teamId, string member, long? amount = null) =>
        Setup.Holds(h => h.ReserveCreditsAsync(member, "image-generation", "default", TimeSpan.FromMinutes(5), amount: amount, wallet: CreditWallet.Team(teamId)));

    private Task<int> SweepAsync() => Setup.Holds(h => h.ExpireReservationsAsync());

    private void Lapse() => clock.Advance(TimeSpan.FromMinutes(6));

    /// <summary>A member whose limit is 6, of a pool of 20, with a hold of those 6 that has lapsed (not swept yet).</summary>
    private async Task<(string TeamId, string Member, CreditReservationResult Hold)> LapsedHoldOfTheWholeLimitAsync()
    {
        var (teamId, member) = await Setup.FundedMemberAsync(pool: 20, limit: 6);
        var hold = await HoldAsync(teamId, member, amount: 6);
        Lapse();
        return (teamId, member, hold);
    }

    [Fact]
    public async Task Sweep_LapsedTeamHold_GivesTheLimitBack()
    {
        var (teamId, owner) = await Setup.TeamAsync();
        await Setup.FundAsync(teamId, 10);
        Assert.True((await Setup.SpendAsync(teamId, owner)).Success);
        Assert.True((await HoldAsync(teamId, owner)).Success);
        Assert.Equal(6L, await Setup.SpentAsync(teamId, owner, Period));
        Lapse();

        Assert.Equal(1, await SweepAsync());

        Assert.Equal(3L, await Setup.SpentAsync(teamId, owner, Period));
        Assert.Equal(7L, (await Setup.Teams(t => t.GetBalanceAsync(teamId)))!.Available);
    }

    [Fact]
    public async Task Sweep_RunTwice_GivesTheLimitBackOnce()
    {
        var (teamId, owner) = await Setup.TeamAsync();
        await Setup.FundAsync(teamId, 10);
        Assert.True((await Setup.SpendAsync(teamId, owner)).Success);
        Assert.True((await HoldAsync(teamId, owner)).Success);
        Lapse();

        await SweepAsync();
        await SweepAsync();

        Assert.Equal(3L, await Setup.SpentAsync(teamId, owner, Period));
    }

    [Fact]
    public async Task Sweep_HoldADebitExpiredInPassing_GivesTheLimitBackOnce()
    {
        var (teamId, owner) = await Setup.TeamAsync();
        var member = await Setup.MemberAsync(teamId, owner);
        await Setup.FundAsync(teamId, 10);
        Assert.True((await HoldAsync(teamId, owner, amount: 8)).Success);
        Lapse();
        // The member's spend finds the pool short, writes the lapsed hold (without the owner's row) and succeeds.
        Assert.True((await Setup.SpendAsync(teamId, member)).Success);
        Assert.Equal(8L, await Setup.SpentAsync(teamId, owner, Period));

        Assert.Equal(0, await SweepAsync());
        await SweepAsync();

        Assert.Equal((0L, 3L), (await Setup.SpentAsync(teamId, owner, Period), await Setup.SpentAsync(teamId, member, Period)));
    }

    [Fact]
    public async Task Release_LapsedTeamHold_EndsExpiredAndGivesTheLimitBack()
    {
        var (teamId, owner) = await Setup.TeamAsync();
        await Setup.FundAsync(teamId, 10);
        var hold = await HoldAsync(teamId, owner);
        Lapse();

        var released = await Setup.Holds(h => h.ReleaseReservationAsync(hold.ReservationId!.Value));
        await SweepAsync();

        Assert.Equal(ReservationStatus.Expired, released.Status);
        Assert.Equal(0L, await Setup.SpentAsync(teamId, owner, Period));
    }

    [Fact]
    public async Task Release_HoldADebitExpiredInPassing_GivesTheLimitBackOnce()
    {
        var (teamId, owner) = await Setup.TeamAsync();
        var member = await Setup.MemberAsync(teamId, owner);
        await Setup.FundAsync(teamId, 20);
        Assert.True((await Setup.SpendAsync(teamId, owner)).Success);
        var hold = await HoldAsync(teamId, owner, amount: 15);
        Lapse();
        // The member's spend finds the pool short and writes the lapsed hold, without the owner's row: still counted.
        Assert.True((await Setup.SpendAsync(teamId, member)).Success);
        Assert.Equal(18L, await Setup.SpentAsync(teamId, owner, Period));

        var released = await Setup.Holds(h => h.ReleaseReservationAsync(hold.ReservationId!.Value));
        await Setup.Holds(h => h.ReleaseReservationAsync(hold.ReservationId!.Value));

        Assert.Equal((false, ReservationStatus.Expired), (released.Success, released.Status));
        Assert.Equal(3L, await Setup.SpentAsync(teamId, owner, Period));
    }

    [Fact]
    public async Task Sweep_RacingReleasesAndCapturesOfTheLapsedHold_GivesTheLimitBackOnce()
    {
        var (teamId, owner) = await Setup.TeamAsync();
        await Setup.FundAsync(teamId, 20);
        Assert.True((await Setup.SpendAsync(teamId, owner)).Success);
        var hold = await HoldAsync(teamId, owner, amount: 5);
        Lapse();

        await Task.WhenAll(Enumerable.Range(0, 12).Select(i => Task.Run(() => (i % 3) switch
        {
            0 => SweepAsync(),
            1 => Setup.Holds(h => h.ReleaseReservationAsync(hold.ReservationId!.Value)).ContinueWith(_ => 0, TaskScheduler.Default),
            _ => Setup.Holds(h => h.CaptureReservationAsync(hold.ReservationId!.Value)).ContinueWith(_ => 0, TaskScheduler.Default),
        })));
        await SweepAsync();

        Assert.Equal(3L, await Setup.SpentAsync(teamId, owner, Period));
        Assert.Equal((17L, 17L), await Setup.WalletAsync(teamId));
    }

    [Fact]
    public async Task CaptureLate_AfterTheSweepGaveTheCountBack_CountsTheChargeAgain()
    {
        var (teamId, owner) = await Setup.TeamAsync();
        await Setup.FundAsync(teamId, 10);
        var hold = await HoldAsync(teamId, owner, amount: 4);
        Lapse();
        await SweepAsync();

        var late = await Setup.Holds(h => h.CaptureExpiredReservationAsync(hold.ReservationId!.Value, 3));

        Assert.Equal((true, 3L), (late.Success, late.CreditsCharged));
        Assert.Equal(3L, await Setup.SpentAsync(teamId, owner, Period));
    }

    [Fact]
    public async Task CaptureLate_NotSweptYet_KeepsTheChargeCountedAndGivesTheRestBack()
    {
        var (teamId, owner) = await Setup.TeamAsync();
        await Setup.FundAsync(teamId, 10);
        var hold = await HoldAsync(teamId, owner, amount: 4);
        Lapse();

        var late = await Setup.Holds(h => h.CaptureExpiredReservationAsync(hold.ReservationId!.Value, 3));
        await SweepAsync();

        Assert.Equal((true, 3L), (late.Success, late.CreditsCharged));
        Assert.Equal(3L, await Setup.SpentAsync(teamId, owner, Period));
    }

    [Fact]
    public async Task CaptureLate_NotSweptYetWithTheWholeLimitCountedForIt_ChargesIt()
    {
        var (teamId, member, hold) = await LapsedHoldOfTheWholeLimitAsync();

        var late = await Setup.Holds(h => h.CaptureExpiredReservationAsync(hold.ReservationId!.Value, 6));

        Assert.Equal((true, 6L), (late.Success, late.CreditsCharged));
        Assert.Equal(6L, await Setup.SpentAsync(teamId, member, Period));
        Assert.Equal((14L, 14L), await Setup.WalletAsync(teamId));
    }

    [Fact]
    public async Task CaptureLate_CountGivenBackAndTheLimitSpentSince_IsRefused()
    {
        var (teamId, member, hold) = await LapsedHoldOfTheWholeLimitAsync();
        await SweepAsync();
        Assert.True((await Setup.SpendAsync(teamId, member)).Success);

        var late = await Setup.Holds(h => h.CaptureExpiredReservationAsync(hold.ReservationId!.Value, 6));

        Assert.Equal((false, ReservationStatus.Expired), (late.Success, late.Status));
        Assert.Equal(3L, await Setup.SpentAsync(teamId, member, Period));
        Assert.Equal((17L, 17L), await Setup.WalletAsync(teamId));
    }
}

public sealed class SqliteTeamHoldExpiryTests(SqliteCreditsDatabase database) : TeamHoldExpiryTests<SqliteCreditsDatabase>(database);

public sealed class PostgresTeamHoldExpiryTests(PostgresCreditsDatabase database) : TeamHoldExpiryTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbTeamHoldExpiryTests(MariaDbCreditsDatabase database) : TeamHoldExpiryTests<MariaDbCreditsDatabase>(database);
