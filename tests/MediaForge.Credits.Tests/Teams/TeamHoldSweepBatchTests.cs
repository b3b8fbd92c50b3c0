using MediaForge.Credits.Entities;
using MediaForge.Credits.Teams;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace MediaForge.Credits.Tests.Teams;

/// <summary>
/// The sweep's second pass gives back the limit counts of team holds that a debit expired in passing (without the
/// member's row): up to 500 a call, the longest lapsed first. These holds hold 1 credit each; an image costs 3.
/// </summary>
public abstract class TeamHoldSweepBatchTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private const int Batch = 500;
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 12, 4, 12, 0, 0, TimeSpan.Zero));

    private DateTime Period => CreditTeamPeriods.StartOf(clock.GetUtcNow(), null);

    [Fact]
    public async Task Sweep_MoreCountedLapsedHoldsThanOneBatch_GivesTheLongestLapsedCountsBackFirst()
    {
        var setup = new TeamSetup(database, clock);
        var (teamId, owner) = await setup.TeamAsync();
        var member = await setup.MemberAsync(teamId, owner);
        await setup.FundAsync(teamId, Batch + 3);
        var holds = new List<Guid>();
        for (var i = 0; i < Batch + 1; i++)
        {
            var ttl = TimeSpan.FromSeconds(60 + i);
            var hold = await setup.Holds(h => h.ReserveCreditsAsync(owner, "image-generation", "default", ttl, amount: 1, wallet: CreditWallet.Team(teamId)));
            Assert.True(hold.Success);
            holds.Add(hold.ReservationId!.Value);
        }

        clock.Advance(TimeSpan.FromHours(1));
        // The member's spend finds 2 spendable: it ends the lapsed holds in passing (without the owner's row) and is charged.
        Assert.True((await setup.SpendAsync(teamId, member)).Success);
        Assert.Equal(Batch + 1L, await setup.SpentAsync(teamId, owner, Period));

        await setup.Holds(h => h.ExpireReservationsAsync());

        Assert.Equal(1L, await setup.SpentAsync(teamId, owner, Period));
        Assert.Equal((false, true), (await CountedAsync(setup, holds[0]), await CountedAsync(setup, holds[^1])));
    }

    private static async Task<bool> CountedAsync(TeamSetup setup, Guid hold)
    {
        var counted = false;
        await setup.WithContextAsync(async db =>
            counted = await db.Set<CreditReservation>().AsNoTracking().Where(r => r.Id == hold).Select(r => r.LimitCounted).SingleAsync());
        return counted;
    }
}

public sealed class SqliteTeamHoldSweepBatchTests(SqliteCreditsDatabase database) : TeamHoldSweepBatchTests<SqliteCreditsDatabase>(database);

public sealed class PostgresTeamHoldSweepBatchTests(PostgresCreditsDatabase database) : TeamHoldSweepBatchTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbTeamHoldSweepBatchTests(MariaDbCreditsDatabase database) : TeamHoldSweepBatchTests<MariaDbCreditsDatabase>(database);
