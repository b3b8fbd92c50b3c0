using MediaForge.Credits.Entities;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace MediaForge.Credits.Tests.Holds;

/// <summary>
/// A capture whose hold another call ends between the capture's read of the hold and its own conditional change of
/// the hold's row answers with what that call did, and charges nothing. On PostgreSQL and MariaDB only: on SQLite a
/// transaction takes the one write lock as it begins, so the other call could not commit inside it. Video generation
/// with Veo 2 holds 15.
/// </summary>
public abstract class HoldCaptureInterleavingTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    [Fact]
    public async Task Capture_HoldReleasedRightAfterTheCaptureReadIt_AnswersNotSuccessfulAndChargesNothing()
    {
        var next = new AnotherCallAfterTheNextRead("credit_reservations");
        var services = database.BuildServices(database.ConnectionString, configureContext: o => o.AddInterceptors(next));
        var user = "interleave_" + Guid.NewGuid().ToString("N");
        await database.WithCreditsAsync(c => c.AddCreditsAsync(user, 20, CreditTransactionType.Purchase, "pack"), services);
        var hold = await database.WithHoldsAsync(h => h.ReserveCreditsAsync(user, "video-generation", "veo2"), services);
        CreditReservationSettlement? release = null;
        next.Call = async () => release = await database.WithHoldsAsync(h => h.ReleaseReservationAsync(hold.ReservationId!.Value), services);

        var capture = await database.WithHoldsAsync(h => h.CaptureReservationAsync(hold.ReservationId!.Value), services);

        Assert.True(release!.Success);
        Assert.Equal((false, ReservationStatus.Released, 0L, false), (capture.Success, capture.Status, capture.CreditsCharged, capture.IsReplay));
        Assert.Equal((20L, 20L, 1), await database.ReadLedgerAsync(user, services));
    }
}

public sealed class PostgresHoldCaptureInterleavingTests(PostgresCreditsDatabase database) : HoldCaptureInterleavingTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbHoldCaptureInterleavingTests(MariaDbCreditsDatabase database) : HoldCaptureInterleavingTests<MariaDbCreditsDatabase>(database);
