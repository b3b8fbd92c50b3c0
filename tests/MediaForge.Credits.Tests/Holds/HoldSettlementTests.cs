using MediaForge.Credits.Entities;
using MediaForge.Credits.Holds;
using MediaForge.Credits.Storage;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace MediaForge.Credits.Tests.Holds;

/// <summary>
/// The answers of a hold's end: unknown ids, second releases, late captures of live holds, the <see cref="CreditHold"/>
/// wrapper after it was settled, and the arguments a reservation refuses.
/// </summary>
public abstract class HoldSettlementTests<TDatabase>(TDatabase database)
    : HoldTestsBase<TDatabase>(database, new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero))
    where TDatabase : CreditsDatabase
{
    [Fact]
    public async Task Capture_UnknownHold_IsRefused()
    {
        var capture = await Holds(h => h.CaptureReservationAsync(Guid.NewGuid()));

        Assert.Equal((false, (ReservationStatus?)null), (capture.Success, capture.Status));
    }

    [Fact]
    public async Task Release_UnknownHold_IsRefused()
    {
        var release = await Holds(h => h.ReleaseReservationAsync(Guid.NewGuid()));

        Assert.Equal((false, (ReservationStatus?)null), (release.Success, release.Status));
    }

    [Fact]
    public async Task CaptureExpired_UnknownHold_IsRefused()
    {
        var capture = await Holds(h => h.CaptureExpiredReservationAsync(Guid.NewGuid()));

        Assert.Equal((false, (ReservationStatus?)null), (capture.Success, capture.Status));
    }

    [Fact]
    public async Task Release_ActiveHold_IsNotAReplay_TheSecondIs()
    {
        var user = await UserWithAsync(20);
        var hold = await Holds(h => h.ReserveCreditsAsync(user, "video-generation", "veo2"));

        var first = await Holds(h => h.ReleaseReservationAsync(hold.ReservationId!.Value));
        var second = await Holds(h => h.ReleaseReservationAsync(hold.ReservationId!.Value));

        Assert.Equal((true, false, ReservationStatus.Released), (first.Success, first.IsReplay, first.Status));
        Assert.Equal((true, true, ReservationStatus.Released), (second.Success, second.IsReplay, second.Status));
        Assert.Equal(20, (await Credits(c => c.GetBalanceAsync(user))).Available);
    }

    [Fact]
    public async Task CaptureExpired_HoldStillLive_CapturesItNow()
    {
        var user = await UserWithAsync(20);
        var hold = await Holds(h => h.ReserveCreditsAsync(user, "video-generation", "veo2", ttl: TimeSpan.FromMinutes(5)));

        var capture = await Holds(h => h.CaptureExpiredReservationAsync(hold.ReservationId!.Value));

        Assert.Equal((true, false, ReservationStatus.Captured, 15L, 5L), (capture.Success, capture.IsReplay, capture.Status, capture.CreditsCharged, capture.Balance));
    }

    [Fact]
    public async Task CaptureExpired_AtTheInstantOfExpiry_ChargesItLate()
    {
        var user = await UserWithAsync(20);
        var hold = await Holds(h => h.ReserveCreditsAsync(user, "video-generation", "veo2", ttl: TimeSpan.FromMinutes(5)));
        Clock.Advance(TimeSpan.FromMinutes(5));

        var live = await Holds(h => h.CaptureReservationAsync(hold.ReservationId!.Value));
        var late = await Holds(h => h.CaptureExpiredReservationAsync(hold.ReservationId!.Value));

        Assert.Equal((false, ReservationStatus.Expired), (live.Success, live.Status));
        Assert.Equal((true, ReservationStatus.Captured, 15L, 5L), (late.Success, late.Status, late.CreditsCharged, late.Balance));
    }

    [Fact]
    public async Task CaptureExpired_ActiveHoldAtTheInstantOfExpiry_ChargesItLate()
    {
        var user = await UserWithAsync(20);
        var hold = await Holds(h => h.ReserveCreditsAsync(user, "video-generation", "veo2", ttl: TimeSpan.FromMinutes(5)));
        Clock.Advance(TimeSpan.FromMinutes(5));

        var late = await Holds(h => h.CaptureExpiredReservationAsync(hold.ReservationId!.Value));

        Assert.Equal((true, ReservationStatus.Captured, 15L, 5L), (late.Success, late.Status, late.CreditsCharged, late.Balance));
    }

    [Fact]
    public async Task CaptureExpired_CreditsSpentSinceTheHoldLapsed_IsRefusedAndTheHoldStaysExpired()
    {
        var user = await UserWithAsync(20);
        var hold = await Holds(h => h.ReserveCreditsAsync(user, "video-generation", "veo2", ttl: TimeSpan.FromMinutes(5)));
        Clock.Advance(TimeSpan.FromMinutes(6));
        Assert.True((await Credits(c => c.DeductCreditsAsync(user, "video-generation", "veo2"))).Success);

        var late = await Holds(h => h.CaptureExpiredReservationAsync(hold.ReservationId!.Value));

        Assert.Equal((false, ReservationStatus.Expired, 0L), (late.Success, late.Status, late.CreditsCharged));
        Assert.Equal((5L, 5L, 2), await Database.ReadLedgerAsync(user, Services));
    }

    [Fact]
    public async Task Capture_HoldEndedBeforeItsRowIsLocked_ChargesNothing()
    {
        var user = await UserWithAsync(20);
        var hold = await Holds(h => h.ReserveCreditsAsync(user, "video-generation", "veo2"));
        await Holds(h => h.ReleaseReservationAsync(hold.ReservationId!.Value));

        var captured = await Db(db => CreditHolds.CaptureAsync(db, hold.ReservationId!.Value, user, 15, 15, allowDebt: false, Clock.GetUtcNow().UtcDateTime, CancellationToken.None));

        Assert.Null(captured);
        Assert.Equal((20L, 20L, 1), await Database.ReadLedgerAsync(user, Services));
    }

    [Fact]
    public async Task Capture_WritesARowNamingTheFeatureAndModel()
    {
        var user = await UserWithAsync(20);
        var hold = await Holds(h => h.ReserveCreditsAsync(user, "video-generation", "veo2"));

        var capture = await Holds(h => h.CaptureReservationAsync(hold.ReservationId!.Value));

        var description = await Db(db => db.Transactions.Where(t => t.Id == capture.TransactionId).Select(t => t.Description).SingleAsync());
        Assert.Equal("video-generation (veo2)", description);
    }

    [Fact]
    public async Task Release_ActiveHoldPastItsExpiry_EndsExpiredNotReleased()
    {
        var user = await UserWithAsync(20);
        var hold = await Holds(h => h.ReserveCreditsAsync(user, "video-generation", "veo2", ttl: TimeSpan.FromMinutes(5)));
        Clock.Advance(TimeSpan.FromMinutes(6));

        var release = await Holds(h => h.ReleaseReservationAsync(hold.ReservationId!.Value));

        Assert.Equal((false, false, ReservationStatus.Expired), (release.Success, release.IsReplay, release.Status));
        Assert.Equal(20, (await Credits(c => c.GetBalanceAsync(user))).Available);
    }

    [Fact]
    public async Task Release_AtTheInstantOfExpiry_EndsExpired()
    {
        var user = await UserWithAsync(20);
        var hold = await Holds(h => h.ReserveCreditsAsync(user, "video-generation", "veo2", ttl: TimeSpan.FromMinutes(5)));
        Clock.Advance(TimeSpan.FromMinutes(5));

        var release = await Holds(h => h.ReleaseReservationAsync(hold.ReservationId!.Value));

        Assert.Equal((false, ReservationStatus.Expired), (release.Success, release.Status));
    }

    [Fact]
    public async Task CaptureExpired_HoldNoLongerExpiredWhenItsRowIsLocked_ChargesNothing()
    {
        var user = await UserWithAsync(20);
        var hold = await Holds(h => h.ReserveCreditsAsync(user, "video-generation", "veo2"));
        await Holds(h => h.CaptureReservationAsync(hold.ReservationId!.Value));

        var balance = await Db(db => CreditHolds.CaptureExpiredAsync(db, hold.ReservationId!.Value, user, 15, Clock.GetUtcNow().UtcDateTime, CancellationToken.None));

        Assert.Null(balance);
        Assert.Equal((5L, 5L, 2), await Database.ReadLedgerAsync(user, Services));
        var row = await Db(db => db.Reservations.AsNoTracking().SingleAsync(r => r.Id == hold.ReservationId));
        Assert.Equal((ReservationStatus.Captured, (long?)15), (row.Status, row.CapturedAmount));
    }

    [Fact]
    public async Task Capture_MoreThanHeld_SaysWhatIsHeldAndWhatWasAsked()
    {
        var user = await UserWithAsync(20);
        var hold = await Holds(h => h.ReserveCreditsAsync(user, "map-animation", "hailuo"));

        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Holds(h => h.CaptureReservationAsync(hold.ReservationId!.Value, actualAmount: 6)));

        Assert.StartsWith("A capture charges from 0 to the held 5 credits; 6 was asked for.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reserve_ExplicitAmountOfZero_Throws()
    {
        var user = await UserWithAsync(20);

        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Holds(h => h.ReserveCreditsAsync(user, "video-generation", "veo2", amount: 0)));

        Assert.Equal("amount", error.ParamName);
    }

    [Fact]
    public async Task Reserve_LifetimeOfZero_Throws()
    {
        var user = await UserWithAsync(20);

        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Holds(h => h.ReserveCreditsAsync(user, "video-generation", "veo2", ttl: TimeSpan.Zero)));

        Assert.Equal("ttl", error.ParamName);
    }

    [Fact]
    public async Task Reserve_LifetimeOverTheMaximum_ThrowsAndHoldsNothing()
    {
        var user = await UserWithAsync(20);
        var longest = new CreditsOptions().MaxReservationTtl;

        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Holds(h => h.ReserveCreditsAsync(user, "video-generation", "veo2", ttl: longest + TimeSpan.FromSeconds(1))));

        Assert.Equal("ttl", error.ParamName);
        await AssertConsistentAsync(user, 20);
    }

    [Fact]
    public async Task Reserve_SameKeyOtherModel_IsAConflict()
    {
        var user = await UserWithAsync(100);
        await Holds(h => h.ReserveCreditsAsync(user, "video-generation", "veo2", idempotencyKey: "job-model", amount: 10));

        var other = await Holds(h => h.ReserveCreditsAsync(user, "video-generation", "hailuo", idempotencyKey: "job-model", amount: 10));

        Assert.Equal((false, CreditDeductionError.IdempotencyKeyConflict), (other.Success, other.Error));
    }

    [Fact]
    public async Task ReserveAsync_WithoutAService_ThrowsArgumentNull()
    {
        var error = await Assert.ThrowsAsync<ArgumentNullException>(() => CreditReservationExtensions.ReserveAsync(null!, "u1", "video-generation", "veo2"));

        Assert.Equal("reservations", error.ParamName);
    }

    [Fact]
    public async Task Hold_NotHeld_CaptureThrowsSayingNothingIsHeld()
    {
        var user = await UserWithAsync(1);
        await using var scope = Services.CreateAsyncScope();
        await using var hold = await scope.ServiceProvider.GetRequiredService<ICreditReservationService>().ReserveAsync(user, "video-generation", "veo2");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => hold.CaptureAsync());

        Assert.Equal("Nothing is held: the reservation did not succeed.", error.Message);
    }

    [Fact]
    public async Task Hold_Captured_ReleaseAfterwardsDoesNothing()
    {
        var user = await UserWithAsync(20);
        await using var scope = Services.CreateAsyncScope();
        await using var hold = await scope.ServiceProvider.GetRequiredService<ICreditReservationService>().ReserveAsync(user, "video-generation", "veo2");
        await hold.CaptureAsync();

        Assert.Null(await hold.ReleaseAsync());
    }

    [Fact]
    public async Task Hold_Released_ReleaseAgainDoesNothing()
    {
        var user = await UserWithAsync(20);
        await using var scope = Services.CreateAsyncScope();
        await using var hold = await scope.ServiceProvider.GetRequiredService<ICreditReservationService>().ReserveAsync(user, "video-generation", "veo2");
        Assert.NotNull(await hold.ReleaseAsync());

        Assert.Null(await hold.ReleaseAsync());
    }
}

public sealed class SqliteHoldSettlementTests(SqliteCreditsDatabase database) : HoldSettlementTests<SqliteCreditsDatabase>(database);

public sealed class PostgresHoldSettlementTests(PostgresCreditsDatabase database) : HoldSettlementTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbHoldSettlementTests(MariaDbCreditsDatabase database) : HoldSettlementTests<MariaDbCreditsDatabase>(database);
