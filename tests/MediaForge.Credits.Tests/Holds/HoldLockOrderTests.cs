using MediaForge.Credits.Entities;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MediaForge.Credits.Tests.Holds;

/// <summary>
/// Every change of a hold takes the user's balance row before the hold's row, so a capture and a release of one hold
/// that race never deadlock: the second waits for the first and then finds the hold ended. Each test starts the second
/// call right after the first changed the hold's row, and lets the first go on once the second waits (or has ended).
/// PostgreSQL and MariaDB (see <see cref="CreditsDatabase.LockWaitsAsync"/>): SQLite lets one writer in at a time. A Veo 2
/// video holds 15.
/// </summary>
public abstract class HoldLockOrderTests<TDatabase> : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private readonly TDatabase database;
    private readonly FailedCommands failed = new();
    private readonly AnotherCallAfterTheNextWrite next;
    private readonly ServiceProvider services;

    protected HoldLockOrderTests(TDatabase database)
    {
        this.database = database;
        next = new AnotherCallAfterTheNextWrite(database, "credit_reservations");
        services = database.BuildServices(database.ConnectionString, configureContext: o => o.AddInterceptors(next, failed));
    }

    [Fact]
    public async Task Release_CaptureArrivingAfterTheReleaseChangedTheHold_WaitsWithoutADeadlock()
    {
        var hold = await HoldAsync();
        CreditReservationSettlement? capture = null;
        next.Call = async () => capture = await HoldsAsync(h => h.CaptureReservationAsync(hold));

        var release = await HoldsAsync(h => h.ReleaseReservationAsync(hold));
        await next.Started;

        Assert.Empty(failed.Errors);
        Assert.Equal((true, false, ReservationStatus.Released), (release.Success, capture!.Success, capture.Status));
    }

    [Fact]
    public async Task Capture_ReleaseArrivingAfterTheCaptureChangedTheHold_WaitsWithoutADeadlock()
    {
        var hold = await HoldAsync();
        CreditReservationSettlement? release = null;
        next.Call = async () => release = await HoldsAsync(h => h.ReleaseReservationAsync(hold));

        var capture = await HoldsAsync(h => h.CaptureReservationAsync(hold));
        await next.Started;

        Assert.Empty(failed.Errors);
        Assert.Equal((true, false, ReservationStatus.Captured), (capture.Success, release!.Success, release.Status));
    }

    private async Task<Guid> HoldAsync()
    {
        var user = "locks_" + Guid.NewGuid().ToString("N");
        await database.WithCreditsAsync(c => c.AddCreditsAsync(user, 20, CreditTransactionType.Purchase, "pack"), services);
        return (await HoldsAsync(h => h.ReserveCreditsAsync(user, "video-generation", "veo2"))).ReservationId!.Value;
    }

    private Task<T> HoldsAsync<T>(Func<ICreditReservationService, Task<T>> action) => database.WithHoldsAsync(action, services);
}

public sealed class PostgresHoldLockOrderTests(PostgresCreditsDatabase database) : HoldLockOrderTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbHoldLockOrderTests(MariaDbCreditsDatabase database) : HoldLockOrderTests<MariaDbCreditsDatabase>(database);
