using MediaForge.Credits.Entities;
using MediaForge.Credits.Tests.Infrastructure;

namespace MediaForge.Credits.Tests.Holds;

/// <summary>
/// A debit refused over credits that a lapsed hold still counts ends that hold in passing (before the sweeper gets to
/// it) and takes the credits: a hold lapsing at this very instant too, and only the debiting user's holds. Video
/// generation with Veo 2 holds and costs 15.
/// </summary>
public abstract class LapsedHoldInPassingTests<TDatabase>(TDatabase database)
    : HoldTestsBase<TDatabase>(database, new DateTimeOffset(2026, 12, 4, 12, 0, 0, TimeSpan.Zero))
    where TDatabase : CreditsDatabase
{
    [Fact]
    public async Task Deduct_OverAHoldLapsingAtThisInstant_EndsItAndCharges()
    {
        var user = await UserWithAsync(20);
        var hold = await Holds(h => h.ReserveCreditsAsync(user, "video-generation", "veo2", ttl: TimeSpan.FromMinutes(5)));
        Clock.Advance(TimeSpan.FromMinutes(5));

        var deduction = await Credits(c => c.DeductCreditsAsync(user, "video-generation", "veo2"));

        Assert.True(deduction.Success);
        Assert.Equal(ReservationStatus.Expired, await StatusAsync(hold));
        await AssertConsistentAsync(user, 5);
    }

    [Fact]
    public async Task Deduct_OverALapsedHold_LeavesAnotherUsersLapsedHoldToTheSweeper()
    {
        var user = await UserWithAsync(20);
        var other = await UserWithAsync(20);
        await Holds(h => h.ReserveCreditsAsync(user, "video-generation", "veo2", ttl: TimeSpan.FromMinutes(5)));
        var othersHold = await Holds(h => h.ReserveCreditsAsync(other, "video-generation", "veo2", ttl: TimeSpan.FromMinutes(5)));
        Clock.Advance(TimeSpan.FromMinutes(6));

        Assert.True((await Credits(c => c.DeductCreditsAsync(user, "video-generation", "veo2"))).Success);

        Assert.Equal(ReservationStatus.Active, await StatusAsync(othersHold));
        await AssertConsistentAsync(other, 20);
    }
}

public sealed class SqliteLapsedHoldInPassingTests(SqliteCreditsDatabase database) : LapsedHoldInPassingTests<SqliteCreditsDatabase>(database);

public sealed class PostgresLapsedHoldInPassingTests(PostgresCreditsDatabase database) : LapsedHoldInPassingTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbLapsedHoldInPassingTests(MariaDbCreditsDatabase database) : LapsedHoldInPassingTests<MariaDbCreditsDatabase>(database);
