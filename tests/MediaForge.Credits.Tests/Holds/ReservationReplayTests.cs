using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace MediaForge.Credits.Tests.Holds;

/// <summary>Holds under a repeated idempotency key: the same request gets its hold back, another request is a conflict, on each real database.</summary>
public abstract class ReservationReplayTests<TDatabase>(TDatabase database)
    : HoldTestsBase<TDatabase>(database, new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero))
    where TDatabase : CreditsDatabase
{
    [Fact]
    public async Task Reserve_SameKeyTwice_ReturnsTheSameHold()
    {
        var user = await UserWithAsync(20);

        var first = await Holds(h => h.ReserveCreditsAsync(user, "image-generation", "default", idempotencyKey: "job-7"));
        var second = await Holds(h => h.ReserveCreditsAsync(user, "image-generation", "default", idempotencyKey: "job-7"));

        Assert.True(second.IsReplay);
        Assert.Equal(first.ReservationId, second.ReservationId);
        Assert.Equal(17, (await Credits(c => c.GetBalanceAsync(user))).Available);
    }

    [Fact]
    public async Task Reserve_KeyAnotherUserUsed_HoldsTheCallersOwnCredits()
    {
        var (user, other) = (await UserWithAsync(20), await UserWithAsync(20));
        var others = await Holds(h => h.ReserveCreditsAsync(other, "image-generation", "default", idempotencyKey: "job-shared"));

        var mine = await Holds(h => h.ReserveCreditsAsync(user, "image-generation", "default", idempotencyKey: "job-shared"));

        Assert.Equal((true, false), (mine.Success, mine.IsReplay));
        Assert.NotEqual(others.ReservationId, mine.ReservationId);
        Assert.Equal(17, (await Credits(c => c.GetBalanceAsync(user))).Available);
    }

    [Fact]
    public async Task Reserve_SameKeyOtherAmount_IsAConflict()
    {
        var user = await UserWithAsync(100);
        await Holds(h => h.ReserveCreditsAsync(user, "video-generation", "veo2", idempotencyKey: "job-8", amount: 20));

        var second = await Holds(h => h.ReserveCreditsAsync(user, "video-generation", "veo2", idempotencyKey: "job-8", amount: 40));

        Assert.Equal((false, CreditDeductionError.IdempotencyKeyConflict), (second.Success, second.Error));
        await AssertConsistentAsync(user, 100);
    }

    [Fact]
    public async Task Reserve_SameKeyOtherAmountForAnUnlimitedUser_IsAConflict()
    {
        var admin = NewUser();
        var adminServices = Database.BuildServices(Database.ConnectionString, o => o.AdminUserIds.Add(admin), Clock);
        await using var scope = adminServices.CreateAsyncScope();
        var reservations = scope.ServiceProvider.GetRequiredService<ICreditReservationService>();
        await reservations.ReserveCreditsAsync(admin, "video-generation", "veo2", idempotencyKey: "job-9", amount: 20);

        var second = await reservations.ReserveCreditsAsync(admin, "video-generation", "veo2", idempotencyKey: "job-9", amount: 500);

        Assert.Equal((false, CreditDeductionError.IdempotencyKeyConflict), (second.Success, second.Error));
    }

    [Fact]
    public async Task Reserve_SameKeyOtherRequestsAtOnce_OneHoldsAndTheOthersConflict()
    {
        var user = await UserWithAsync(1000);

        var results = await Task.WhenAll(Enumerable.Range(1, 6).Select(i =>
            Task.Run(() => Holds(h => h.ReserveCreditsAsync(user, "video-generation", "veo2", idempotencyKey: "job-10", amount: 10 * i)))));

        Assert.Single(results, r => r.Success);
        Assert.All(results.Where(r => !r.Success), r => Assert.Equal(CreditDeductionError.IdempotencyKeyConflict, r.Error));
        await AssertConsistentAsync(user, 1000);
    }

    [Fact]
    public async Task Hold_ReplayDisposed_DoesNotReleaseTheFirstHold()
    {
        var user = await UserWithAsync(20);
        var first = await Holds(h => h.ReserveCreditsAsync(user, "video-generation", "veo2", idempotencyKey: "job-11"));

        await using (var scope = Services.CreateAsyncScope())
        {
            var reservations = scope.ServiceProvider.GetRequiredService<ICreditReservationService>();
            await using var replay = await reservations.ReserveAsync(user, "video-generation", "veo2", idempotencyKey: "job-11");
            Assert.True(replay.Result.IsReplay);
        }

        var capture = await Holds(h => h.CaptureReservationAsync(first.ReservationId!.Value));
        Assert.Equal((true, 15L), (capture.Success, capture.CreditsCharged));
        await AssertConsistentAsync(user, 5);
    }
}

public sealed class SqliteReservationReplayTests(SqliteCreditsDatabase database) : ReservationReplayTests<SqliteCreditsDatabase>(database);

public sealed class PostgresReservationReplayTests(PostgresCreditsDatabase database) : ReservationReplayTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbReservationReplayTests(MariaDbCreditsDatabase database) : ReservationReplayTests<MariaDbCreditsDatabase>(database);
