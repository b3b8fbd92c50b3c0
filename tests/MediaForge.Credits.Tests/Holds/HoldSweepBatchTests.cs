using MediaForge.Credits.Entities;
using MediaForge.Credits.Tests.Infrastructure;

namespace MediaForge.Credits.Tests.Holds;

/// <summary>
/// The expiry sweep ends up to 500 lapsed holds a call, the longest lapsed first: a hold lapsing at this very instant
/// is lapsed, and holds already ended past their expiry never take a lapsed hold's place in the batch. An image holds 3.
/// </summary>
public abstract class HoldSweepBatchTests<TDatabase>(TDatabase database)
    : HoldTestsBase<TDatabase>(database, new DateTimeOffset(2026, 12, 4, 12, 0, 0, TimeSpan.Zero))
    where TDatabase : CreditsDatabase
{
    private const int Batch = 500;

    [Fact]
    public async Task ExpireReservations_HoldLapsingAtThisInstant_IsExpired()
    {
        var user = await UserWithAsync(10);
        var hold = await Holds(h => h.ReserveCreditsAsync(user, "image-generation", "default", ttl: TimeSpan.FromMinutes(5)));
        Clock.Advance(TimeSpan.FromMinutes(5));

        Assert.Equal(1, await Holds(h => h.ExpireReservationsAsync()));

        Assert.Equal(ReservationStatus.Expired, await StatusAsync(hold));
        await AssertConsistentAsync(user, 10);
    }

    [Fact]
    public async Task ExpireReservations_MoreLapsedThanOneBatch_EndsTheLongestLapsedFirst()
    {
        var user = await UserWithAsync(3 * (Batch + 1));
        var holds = await HoldAsync(user, Batch + 1, i => TimeSpan.FromSeconds(60 + i));
        Clock.Advance(TimeSpan.FromHours(1));

        Assert.Equal(Batch, await Holds(h => h.ExpireReservationsAsync()));

        Assert.Equal(ReservationStatus.Expired, await StatusAsync(holds[0]));
        Assert.Equal(ReservationStatus.Active, await StatusAsync(holds[^1]));
        await Holds(h => h.ReleaseReservationAsync(holds[^1].ReservationId!.Value)); // no lapsed hold left for the class's other sweeps
    }

    [Fact]
    public async Task ExpireReservations_BatchOfEndedHoldsPastTheirExpiry_StillEndsTheLapsedHold()
    {
        var user = await UserWithAsync(3 * (Batch + 1));
        foreach (var ended in await HoldAsync(user, Batch, _ => TimeSpan.FromMinutes(1)))
        {
            await Holds(h => h.ReleaseReservationAsync(ended.ReservationId!.Value));
        }

        var lapsed = (await HoldAsync(user, 1, _ => TimeSpan.FromMinutes(2)))[0];
        Clock.Advance(TimeSpan.FromMinutes(3));

        Assert.Equal(1, await Holds(h => h.ExpireReservationsAsync()));

        Assert.Equal(ReservationStatus.Expired, await StatusAsync(lapsed));
        await AssertConsistentAsync(user, 3 * (Batch + 1));
    }

    private async Task<List<CreditReservationResult>> HoldAsync(string user, int count, Func<int, TimeSpan> ttl)
    {
        List<CreditReservationResult> holds = [];
        for (var i = 0; i < count; i++)
        {
            var lifetime = ttl(i);
            holds.Add(await Holds(h => h.ReserveCreditsAsync(user, "image-generation", "default", ttl: lifetime)));
        }

        Assert.All(holds, h => Assert.True(h.Success));
        return holds;
    }
}

public sealed class SqliteHoldSweepBatchTests(SqliteCreditsDatabase database) : HoldSweepBatchTests<SqliteCreditsDatabase>(database);

public sealed class PostgresHoldSweepBatchTests(PostgresCreditsDatabase database) : HoldSweepBatchTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbHoldSweepBatchTests(MariaDbCreditsDatabase database) : HoldSweepBatchTests<MariaDbCreditsDatabase>(database);
