using MediaForge.Credits.Entities;
using MediaForge.Credits.Storage;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MediaForge.Credits.Tests.Holds;

/// <summary>Holds for long AI jobs: reserve, capture, release, expire — on each real database, with a fake Clock.</summary>
public abstract class ReservationTests<TDatabase>(TDatabase database)
    : HoldTestsBase<TDatabase>(database, new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero))
    where TDatabase : CreditsDatabase
{
    [Fact]
    public async Task Reserve_WithinAvailable_HoldsThePriceAndLeavesTheBalance()
    {
        var user = await UserWithAsync(20);

        var hold = await Holds(h => h.ReserveCreditsAsync(user, "video-generation", "veo2"));

        Assert.True(hold.Success);
        Assert.Equal((15L, 5L), (hold.Amount, hold.Available));
        Assert.Equal(Clock.GetUtcNow().AddMinutes(15), hold.ExpiresAt);
        var balance = await Credits(c => c.GetBalanceAsync(user));
        Assert.Equal((20L, 5L), (balance.Balance, balance.Available));
        await AssertConsistentAsync(user, 20);
    }

    [Fact]
    public async Task Reserve_MoreThanAvailable_IsRefusedAndHoldsNothing()
    {
        var user = await UserWithAsync(10);

        var hold = await Holds(h => h.ReserveCreditsAsync(user, "video-generation", "veo2"));

        Assert.False(hold.Success);
        Assert.Equal(CreditDeductionError.InsufficientCredits, hold.Error);
        await AssertConsistentAsync(user, 10);
    }

    [Fact]
    public async Task Deduct_CreditsHeldByAReservation_AreNotSpendable()
    {
        var user = await UserWithAsync(10);
        await Holds(h => h.ReserveCreditsAsync(user, "video-generation", "hailuo"));

        var deduction = await Credits(c => c.DeductCreditsAsync(user, "image-generation", "default"));

        Assert.Equal(CreditDeductionError.InsufficientCredits, deduction.Error);
        await AssertConsistentAsync(user, 10);
    }

    [Fact]
    public async Task Capture_WholeHold_ChargesItAndLogsUsage()
    {
        var user = await UserWithAsync(20);
        var hold = await Holds(h => h.ReserveCreditsAsync(user, "video-generation", "veo2"));

        var capture = await Holds(h => h.CaptureReservationAsync(hold.ReservationId!.Value));

        Assert.True(capture.Success);
        Assert.Equal((ReservationStatus.Captured, 15L, 5L), (capture.Status, capture.CreditsCharged, capture.Balance));
        var usage = await Credits(c => c.GetUsageAsync(user));
        Assert.Equal(capture.TransactionId, usage.Items.Single().TransactionId);
        await AssertConsistentAsync(user, 5);
    }

    [Fact]
    public async Task Capture_PartOfTheHold_ReturnsTheRest()
    {
        var user = await UserWithAsync(20);
        var hold = await Holds(h => h.ReserveCreditsAsync(user, "video-generation", "veo2"));

        var capture = await Holds(h => h.CaptureReservationAsync(hold.ReservationId!.Value, actualAmount: 6));

        Assert.Equal(6, capture.CreditsCharged);
        Assert.Equal(14, (await Credits(c => c.GetBalanceAsync(user))).Available);
        await AssertConsistentAsync(user, 14);
    }

    [Fact]
    public async Task Capture_MoreThanHeld_ThrowsNamingTheAmount()
    {
        var user = await UserWithAsync(20);
        var hold = await Holds(h => h.ReserveCreditsAsync(user, "map-animation", "hailuo"));

        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Holds(h => h.CaptureReservationAsync(hold.ReservationId!.Value, actualAmount: 6)));

        Assert.Equal("actualAmount", error.ParamName);
        await AssertConsistentAsync(user, 20);
    }

    [Fact]
    public async Task Capture_Twice_SecondIsAReplayAndChargesOnce()
    {
        var user = await UserWithAsync(20);
        var hold = await Holds(h => h.ReserveCreditsAsync(user, "map-animation", "hailuo"));

        await Holds(h => h.CaptureReservationAsync(hold.ReservationId!.Value));
        var second = await Holds(h => h.CaptureReservationAsync(hold.ReservationId!.Value));

        Assert.True(second.IsReplay);
        await AssertConsistentAsync(user, 15);
    }

    [Fact]
    public async Task Release_ActiveHold_FreesTheCredits()
    {
        var user = await UserWithAsync(20);
        var hold = await Holds(h => h.ReserveCreditsAsync(user, "video-generation", "veo2"));

        var release = await Holds(h => h.ReleaseReservationAsync(hold.ReservationId!.Value));
        var captureAfter = await Holds(h => h.CaptureReservationAsync(hold.ReservationId!.Value));

        Assert.Equal((true, ReservationStatus.Released), (release.Success, release.Status));
        Assert.False(captureAfter.Success);
        Assert.Equal(20, (await Credits(c => c.GetBalanceAsync(user))).Available);
        await AssertConsistentAsync(user, 20);
    }

    [Fact]
    public async Task Capture_AfterExpiry_IsRefusedAndTheHoldExpires()
    {
        var user = await UserWithAsync(20);
        var hold = await Holds(h => h.ReserveCreditsAsync(user, "video-generation", "veo2", ttl: TimeSpan.FromMinutes(5)));
        Clock.Advance(TimeSpan.FromMinutes(5));

        var capture = await Holds(h => h.CaptureReservationAsync(hold.ReservationId!.Value));

        Assert.Equal((false, ReservationStatus.Expired), (capture.Success, capture.Status));
        await AssertConsistentAsync(user, 20);
    }

    [Fact]
    public async Task ExpiredHold_BeforeTheSweeper_IsNotCountedAsHeld()
    {
        var user = await UserWithAsync(20);
        await Holds(h => h.ReserveCreditsAsync(user, "video-generation", "veo2", ttl: TimeSpan.FromMinutes(5)));
        Clock.Advance(TimeSpan.FromMinutes(6));

        var balance = await Credits(c => c.GetBalanceAsync(user));
        var deduction = await Credits(c => c.DeductCreditsAsync(user, "video-generation", "veo2"));

        Assert.Equal(20, balance.Available);
        Assert.True(deduction.Success);
        await AssertConsistentAsync(user, 5);
    }

    [Fact]
    public async Task Reserve_CreditsOfAHoldLapsedBeforeTheSweeper_IsAccepted()
    {
        var user = await UserWithAsync(20);
        await Holds(h => h.ReserveCreditsAsync(user, "video-generation", "veo2", ttl: TimeSpan.FromMinutes(5)));
        Clock.Advance(TimeSpan.FromMinutes(6));

        var hold = await Holds(h => h.ReserveCreditsAsync(user, "video-generation", "veo2"));

        Assert.True(hold.Success);
        Assert.Equal((15L, 5L), (hold.Amount, hold.Available));
        await AssertConsistentAsync(user, 20);
    }

    [Fact]
    public async Task ExpireReservations_LapsedHolds_AreExpiredAndFreed()
    {
        var user = await UserWithAsync(30);
        await Holds(h => h.ReserveCreditsAsync(user, "video-generation", "veo2", ttl: TimeSpan.FromMinutes(1)));
        await Holds(h => h.ReserveCreditsAsync(user, "map-animation", "veo2", ttl: TimeSpan.FromMinutes(30)));
        Clock.Advance(TimeSpan.FromMinutes(2));

        var expired = await Holds(h => h.ExpireReservationsAsync());

        Assert.True(expired >= 1);
        Assert.Equal(20, (await Credits(c => c.GetBalanceAsync(user))).Available);
        await AssertConsistentAsync(user, 30);
    }

    [Fact]
    public async Task CaptureReleaseAndExpiry_RacingOnEachHold_ExactlyOneWins()
    {
        var user = await UserWithAsync(1000);
        var holds = new List<Guid>();
        for (var i = 0; i < 20; i++)
        {
            holds.Add((await Holds(h => h.ReserveCreditsAsync(user, "video-generation", "hailuo", ttl: TimeSpan.FromMinutes(10)))).ReservationId!.Value);
        }

        Clock.Advance(TimeSpan.FromMinutes(10));
        var outcomes = await Task.WhenAll(holds.Select(id => Task.Run(async () =>
        {
            var racers = await Task.WhenAll(
                Task.Run(() => Holds(h => h.CaptureReservationAsync(id))),
                Task.Run(() => Holds(h => h.ReleaseReservationAsync(id))),
                Task.Run(async () => new CreditReservationSettlement { Success = await Holds(h => h.ExpireReservationsAsync()) > 0 }));
            return racers;
        })));

        Assert.All(outcomes, racers => Assert.False(racers[0].Success && racers[1].Success));
        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CreditsDbContext>();
        var statuses = await db.Reservations.Where(r => r.UserId == user).Select(r => r.Status).ToListAsync();
        Assert.All(statuses, s => Assert.Equal(ReservationStatus.Expired, s));
        await AssertConsistentAsync(user, 1000);
    }

    [Fact]
    public async Task CaptureAndRelease_RacingBeforeExpiry_ExactlyOneWinsPerHold()
    {
        var user = await UserWithAsync(1000);
        var holds = new List<Guid>();
        for (var i = 0; i < 20; i++)
        {
            holds.Add((await Holds(h => h.ReserveCreditsAsync(user, "video-generation", "hailuo"))).ReservationId!.Value);
        }

        var outcomes = await Task.WhenAll(holds.Select(id => Task.Run(() => Task.WhenAll(
            Task.Run(() => Holds(h => h.CaptureReservationAsync(id))),
            Task.Run(() => Holds(h => h.ReleaseReservationAsync(id)))))));

        Assert.All(outcomes, pair => Assert.True(pair[0].Success ^ pair[1].Success));
        var captured = outcomes.Count(pair => pair[0].Success);
        await AssertConsistentAsync(user, 1000 - (8 * captured));
    }

    [Fact]
    public async Task Reserve_ExplicitAmount_HoldsThatAmount()
    {
        var user = await UserWithAsync(100);

        var hold = await Holds(h => h.ReserveCreditsAsync(user, "video-generation", "veo2", amount: 45));

        Assert.Equal(45, hold.Amount);
        await AssertConsistentAsync(user, 100);
    }

    [Fact]
    public async Task Hold_DisposedWithoutCapture_IsReleased()
    {
        var user = await UserWithAsync(20);

        await using (var scope = Services.CreateAsyncScope())
        {
            var reservations = scope.ServiceProvider.GetRequiredService<ICreditReservationService>();
            await using var hold = await reservations.ReserveAsync(user, "video-generation", "veo2");
            Assert.True(hold.IsHeld);
        }

        Assert.Equal(20, (await Credits(c => c.GetBalanceAsync(user))).Available);
        await AssertConsistentAsync(user, 20);
    }

    [Fact]
    public async Task Hold_CapturedThenDisposed_StaysCaptured()
    {
        var user = await UserWithAsync(20);

        await using (var scope = Services.CreateAsyncScope())
        {
            var reservations = scope.ServiceProvider.GetRequiredService<ICreditReservationService>();
            await using var hold = await reservations.ReserveAsync(user, "video-generation", "veo2");
            await hold.CaptureAsync();
        }

        await AssertConsistentAsync(user, 5);
    }

}

public sealed class SqliteReservationTests(SqliteCreditsDatabase database) : ReservationTests<SqliteCreditsDatabase>(database);

public sealed class PostgresReservationTests(PostgresCreditsDatabase database) : ReservationTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbReservationTests(MariaDbCreditsDatabase database) : ReservationTests<MariaDbCreditsDatabase>(database);
