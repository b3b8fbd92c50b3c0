using MediaForge.Credits.Entities;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace MediaForge.Credits.Tests.Holds;

/// <summary>
/// The expiry sweep answers how many holds it ended. A lapsed hold that another call settles between the sweep's read of
/// the lapsed holds and the sweep's own transaction (here a late capture of the finished job) keeps that settlement and
/// is not counted. A Hailuo video holds 8 credits.
/// </summary>
public abstract class HoldSweepInterleavingTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2027, 6, 1, 9, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task Sweep_HoldCapturedLateRightAfterTheSweepReadIt_IsNotCountedAsExpired()
    {
        var next = new AnotherCallAfterTheNextRead("credit_reservations");
        var services = database.BuildServices(database.ConnectionString, time: clock, configureContext: o => o.AddInterceptors(next));
        var user = "sweep_" + Guid.NewGuid().ToString("N");
        await database.WithCreditsAsync(c => c.AddCreditsAsync(user, 10, CreditTransactionType.Purchase, "pack"), services);
        var hold = await database.WithHoldsAsync(h => h.ReserveCreditsAsync(user, "video-generation", "hailuo", ttl: TimeSpan.FromMinutes(1)), services);
        clock.Advance(TimeSpan.FromMinutes(2));
        CreditReservationSettlement? late = null;
        next.Call = async () => late = await database.WithHoldsAsync(h => h.CaptureExpiredReservationAsync(hold.ReservationId!.Value), services);

        var expired = await database.WithHoldsAsync(h => h.ExpireReservationsAsync(), services);

        Assert.Equal(0, expired);
        Assert.Equal((true, ReservationStatus.Captured), (late!.Success, late.Status));
        Assert.Equal((2L, 2L, 2), await database.ReadLedgerAsync(user, services));
    }
}

public sealed class SqliteHoldSweepInterleavingTests(SqliteCreditsDatabase database) : HoldSweepInterleavingTests<SqliteCreditsDatabase>(database);

public sealed class PostgresHoldSweepInterleavingTests(PostgresCreditsDatabase database) : HoldSweepInterleavingTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbHoldSweepInterleavingTests(MariaDbCreditsDatabase database) : HoldSweepInterleavingTests<MariaDbCreditsDatabase>(database);
