using MediaForge.Credits.Entities;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace MediaForge.Credits.Tests.Holds;

/// <summary>A capture that arrives after its hold expired: charged once if the credits are still there, refused otherwise, on each real database.</summary>
public abstract class ExpiredHoldCaptureTests<TDatabase>(TDatabase database)
    : HoldTestsBase<TDatabase>(database, new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero))
    where TDatabase : CreditsDatabase
{
    [Fact]
    public async Task CaptureExpired_CreditsStillSpendable_ChargesTheHoldOnce()
    {
        var user = await UserWithAsync(20);
        var hold = await Holds(h => h.ReserveCreditsAsync(user, "video-generation", "veo2", ttl: TimeSpan.FromMinutes(5)));
        Clock.Advance(TimeSpan.FromMinutes(6));

        var captures = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ =>
            Task.Run(() => Holds(h => h.CaptureExpiredReservationAsync(hold.ReservationId!.Value)))));

        Assert.All(captures, c => Assert.Equal((true, ReservationStatus.Captured, 15L), (c.Success, c.Status, c.CreditsCharged)));
        Assert.Single(captures, c => !c.IsReplay);
        Assert.Single((await Credits(c => c.GetUsageAsync(user))).Items);
        await AssertConsistentAsync(user, 5);
    }

    [Fact]
    public async Task Capture_AfterTheHoldLapsed_IsRefusedAsExpiredAndChargesNothing()
    {
        var user = await UserWithAsync(20);
        var hold = await Holds(h => h.ReserveCreditsAsync(user, "video-generation", "veo2", ttl: TimeSpan.FromMinutes(5)));
        Clock.Advance(TimeSpan.FromMinutes(6));

        var capture = await Holds(h => h.CaptureReservationAsync(hold.ReservationId!.Value));

        Assert.Equal((false, ReservationStatus.Expired, 0L), (capture.Success, capture.Status, capture.CreditsCharged));
        await AssertConsistentAsync(user, 20);
    }

    [Fact]
    public async Task CaptureExpired_CreditsSpentMeanwhile_IsRefusedAndChargesNothing()
    {
        var user = await UserWithAsync(20);
        var hold = await Holds(h => h.ReserveCreditsAsync(user, "video-generation", "veo2", ttl: TimeSpan.FromMinutes(5)));
        Clock.Advance(TimeSpan.FromMinutes(6));
        await Credits(c => c.DeductCreditsAsync(user, "map-animation", "veo2"));

        var capture = await Holds(h => h.CaptureExpiredReservationAsync(hold.ReservationId!.Value));

        Assert.Equal((false, ReservationStatus.Expired, 0L), (capture.Success, capture.Status, capture.CreditsCharged));
        await AssertConsistentAsync(user, 10);
    }

    [Fact]
    public async Task CaptureExpired_CreditsHeldByAnotherHoldMeanwhile_IsRefusedAndChargesNothing()
    {
        var user = await UserWithAsync(20);
        var hold = await Holds(h => h.ReserveCreditsAsync(user, "video-generation", "veo2", ttl: TimeSpan.FromMinutes(5)));
        Clock.Advance(TimeSpan.FromMinutes(6));
        Assert.True((await Holds(h => h.ReserveCreditsAsync(user, "video-generation", "hailuo"))).Success);

        var capture = await Holds(h => h.CaptureExpiredReservationAsync(hold.ReservationId!.Value));

        Assert.Equal((false, ReservationStatus.Expired, 0L), (capture.Success, capture.Status, capture.CreditsCharged));
        await AssertConsistentAsync(user, 20);
    }

    [Fact]
    public async Task CaptureExpired_LotLapsedMeanwhile_WritesItsLapseAndChargesTheCreditsLeft()
    {
        var user = await UserWithAsync(20);
        await Credits(c => c.AddExpiringCreditsAsync(user, 10, CreditTransactionType.Bonus, "promotion", Clock.GetUtcNow().AddMinutes(10)));
        var hold = await Holds(h => h.ReserveCreditsAsync(user, "video-generation", "veo2", ttl: TimeSpan.FromMinutes(5)));
        Clock.Advance(TimeSpan.FromMinutes(11));

        var capture = await Holds(h => h.CaptureExpiredReservationAsync(hold.ReservationId!.Value));

        Assert.Equal((true, 15L, 5L), (capture.Success, capture.CreditsCharged, capture.Balance));
        await AssertConsistentAsync(user, 5);
    }

    [Fact]
    public async Task CaptureExpired_CountsTheChargeInTheAccountsConsumedTotal()
    {
        var user = await UserWithAsync(20);
        var hold = await Holds(h => h.ReserveCreditsAsync(user, "video-generation", "veo2", ttl: TimeSpan.FromMinutes(5)));
        Clock.Advance(TimeSpan.FromMinutes(6));

        Assert.True((await Holds(h => h.CaptureExpiredReservationAsync(hold.ReservationId!.Value))).Success);

        Assert.Equal(15L, await Db(db => db.Accounts.Where(a => a.UserId == user).Select(a => a.TotalConsumed).SingleAsync()));
    }

    [Fact]
    public async Task CaptureExpired_ReleasedHold_IsRefused()
    {
        var user = await UserWithAsync(20);
        var hold = await Holds(h => h.ReserveCreditsAsync(user, "video-generation", "veo2", ttl: TimeSpan.FromMinutes(5)));
        await Holds(h => h.ReleaseReservationAsync(hold.ReservationId!.Value));
        Clock.Advance(TimeSpan.FromMinutes(6));

        var capture = await Holds(h => h.CaptureExpiredReservationAsync(hold.ReservationId!.Value));

        Assert.Equal((false, ReservationStatus.Released), (capture.Success, capture.Status));
        await AssertConsistentAsync(user, 20);
    }
}

public sealed class SqliteExpiredHoldCaptureTests(SqliteCreditsDatabase database) : ExpiredHoldCaptureTests<SqliteCreditsDatabase>(database);

public sealed class PostgresExpiredHoldCaptureTests(PostgresCreditsDatabase database) : ExpiredHoldCaptureTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbExpiredHoldCaptureTests(MariaDbCreditsDatabase database) : ExpiredHoldCaptureTests<MariaDbCreditsDatabase>(database);
