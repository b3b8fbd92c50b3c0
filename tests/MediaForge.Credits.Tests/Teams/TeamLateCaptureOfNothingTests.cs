using MediaForge.Credits.Teams;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace MediaForge.Credits.Tests.Teams;

/// <summary>A late capture of nothing of a lapsed team hold still counted: like a capture of nothing, it gives the whole count back.</summary>
public abstract class TeamLateCaptureOfNothingTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 5, 10, 12, 0, 0, TimeSpan.Zero));

    private DateTime Period => CreditTeamPeriods.StartOf(clock.GetUtcNow(), null);

    /// <summary>A team with 100 credits and a held use of its member, whose limit (15) the hold fills.</summary>
    private async Task<(TeamSetup Setup, string TeamId, string Member, CreditReservationResult Hold)> HoldOfAMemberLimitedTo15Async()
    {
        var setup = new TeamSetup(database, clock);
        var (teamId, owner) = await setup.TeamAsync();
        var member = await setup.MemberAsync(teamId, owner);
        Assert.True((await setup.Teams(t => t.SetMemberLimitAsync(teamId, owner, member, 15))).Success);
        await setup.FundAsync(teamId, 100);
        var hold = await setup.TeamHoldAsync(teamId, member);
        return (setup, teamId, member, hold);
    }

    [Fact]
    public async Task CaptureLate_OfNothing_GivesTheWholeCountBack()
    {
        var (setup, teamId, member, hold) = await HoldOfAMemberLimitedTo15Async();
        Assert.Equal(15L, await setup.SpentAsync(teamId, member, Period));
        clock.Advance(TimeSpan.FromMinutes(6));

        var late = await setup.Holds(h => h.CaptureExpiredReservationAsync(hold.ReservationId!.Value, 0));
        await setup.Holds(h => h.ExpireReservationsAsync());

        Assert.Equal((true, 0L), (late.Success, late.CreditsCharged));
        Assert.Equal((100L, 100L), await setup.WalletAsync(teamId));
        Assert.Equal(0L, await setup.SpentAsync(teamId, member, Period));
    }

    [Fact]
    public async Task Capture_OfNothing_GivesTheWholeCountBack()
    {
        var (setup, teamId, member, hold) = await HoldOfAMemberLimitedTo15Async();

        var capture = await setup.Holds(h => h.CaptureReservationAsync(hold.ReservationId!.Value, 0));

        Assert.Equal((true, 0L), (capture.Success, capture.CreditsCharged));
        Assert.Equal(0L, await setup.SpentAsync(teamId, member, Period));
    }
}

public sealed class SqliteTeamLateCaptureOfNothingTests(SqliteCreditsDatabase database) : TeamLateCaptureOfNothingTests<SqliteCreditsDatabase>(database);

public sealed class PostgresTeamLateCaptureOfNothingTests(PostgresCreditsDatabase database) : TeamLateCaptureOfNothingTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbTeamLateCaptureOfNothingTests(MariaDbCreditsDatabase database) : TeamLateCaptureOfNothingTests<MariaDbCreditsDatabase>(database);
