using MediaForge.Credits.Entities;
using MediaForge.Credits.Events;
using MediaForge.Credits.Storage;
using MediaForge.Credits.Teams;
using MediaForge.Credits.Tests.Events;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace MediaForge.Credits.Tests.Teams;

/// <summary>
/// The sweep reads lapsed holds by their expiry, and a split hold's two rows (the team hold and the member's own part)
/// share theirs, so either may come first. Whichever does, the sweep ends both as one expired hold, with the team
/// hold's event only. Each order is made here by moving the other row's expiry a second later (both still lapsed).
/// Video generation with Veo 2 costs 15: 10 of the member's own, 5 of the pool (personal first).
/// </summary>
public abstract class TeamSplitHoldSweepOrderTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 5, 10, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task Sweep_PartMetBeforeItsTeamHold_EndsBothAsOneExpiredHoldWithOneEvent()
    {
        var (setup, teamId, member, hold) = await LapsedSplitHoldAsync(later: h => h.MemberId != null);

        Assert.Equal(1, await setup.Holds(h => h.ExpireReservationsAsync()));

        await AssertEndedAsOneAsync(setup, teamId, member, hold);
    }

    [Fact]
    public async Task Sweep_TeamHoldMetBeforeItsPart_EndsBothAsOneExpiredHoldWithOneEvent()
    {
        var (setup, teamId, member, hold) = await LapsedSplitHoldAsync(later: h => h.MemberId == null);

        Assert.Equal(1, await setup.Holds(h => h.ExpireReservationsAsync()));

        await AssertEndedAsOneAsync(setup, teamId, member, hold);
    }

    /// <summary>A lapsed split hold whose row matching <paramref name="later"/> expired a second after the other.</summary>
    private async Task<(TeamSetup Setup, string TeamId, string Member, Guid Hold)> LapsedSplitHoldAsync(
        System.Linq.Expressions.Expression<Func<CreditReservation, bool>> later)
    {
        var setup = new TeamSetup(database, clock, o => o.Teams.FundingPolicy = CreditTeamFundingPolicy.PersonalFirst);
        var (teamId, member) = await setup.SplitTeamAsync(pool: 100, own: 10);
        var hold = (await setup.TeamHoldAsync(teamId, member)).ReservationId!.Value;
        var part = CreditTeamHoldParts.KeyOf(hold);
        await setup.WithContextAsync(db => db.Reservations.Where(r => r.Id == hold || r.IdempotencyKey == part).Where(later)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.ExpiresAt, r => r.ExpiresAt.AddSeconds(1))));
        clock.Advance(TimeSpan.FromMinutes(6));
        return (setup, teamId, member, hold);
    }

    private static async Task AssertEndedAsOneAsync(TeamSetup setup, string teamId, string member, Guid hold)
    {
        Assert.Equal((10L, 0L, 100L, 0L), await setup.RowsAsync(teamId, member));
        var expired = Assert.Single(await Outbox.EventsAsync<HoldExpired>(setup.Services, CreditWalletAccounts.TeamAccount(teamId)));
        Assert.Equal(hold, expired.ReservationId);
        Assert.Empty(await Outbox.EventsAsync<HoldExpired>(setup.Services, member));
    }
}

public sealed class SqliteTeamSplitHoldSweepOrderTests(SqliteCreditsDatabase database) : TeamSplitHoldSweepOrderTests<SqliteCreditsDatabase>(database);

public sealed class PostgresTeamSplitHoldSweepOrderTests(PostgresCreditsDatabase database) : TeamSplitHoldSweepOrderTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbTeamSplitHoldSweepOrderTests(MariaDbCreditsDatabase database) : TeamSplitHoldSweepOrderTests<MariaDbCreditsDatabase>(database);
