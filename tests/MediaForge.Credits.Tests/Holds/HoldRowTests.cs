using MediaForge.Credits.Entities;
using MediaForge.Credits.Storage;
using MediaForge.Credits.Subscriptions;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MediaForge.Credits.Tests.Holds;

/// <summary>
/// The hold row as the ledger's built-once statements write and read it (decision 0047): every column the reserve
/// inserts, the capture's status, amount, settlement time and link, read back through the value converters; and the
/// balance's plan summary, read only when the "has a subscription" statement finds a row. A capture that finds the
/// balance row gone (a row deleted by hand) refuses and changes nothing.
/// </summary>
public abstract class HoldRowTests<TDatabase>(TDatabase database)
    : HoldTestsBase<TDatabase>(database, new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero))
    where TDatabase : CreditsDatabase
{
    [Fact]
    public async Task Reserve_WritesEveryColumnOfTheHoldRow()
    {
        var user = await UserWithAsync(50);

        var hold = await Holds(h => h.ReserveCreditsAsync(user, "Video-Generation", "Veo2", TimeSpan.FromMinutes(7), "row-key", amount: 30));

        var row = await Db(db => db.Reservations.AsNoTracking().SingleAsync(r => r.Id == hold.ReservationId));
        var now = Clock.GetUtcNow().UtcDateTime;
        Assert.Equal(
            (user, (string?)null, false, "video-generation", "veo2", 30L, 30L, false, ReservationStatus.Active, "row-key", now.AddMinutes(7), now, (DateTime?)null, (long?)null, (Guid?)null),
            (row.UserId, row.MemberId, row.LimitCounted, row.Feature, row.Model, row.Amount, row.RequestedAmount, row.IsUnlimited, row.Status, row.IdempotencyKey,
                row.ExpiresAt, row.CreatedAt, row.SettledAt, row.CapturedAmount, row.TransactionId));
        Assert.Equal((20L, 50L), (hold.Available, (await Credits(c => c.GetBalanceAsync(user))).Balance));
    }

    [Fact]
    public async Task Capture_RecordsStatusAmountTimeAndLedgerRowOnTheHold()
    {
        var user = await UserWithAsync(50);
        var hold = await Holds(h => h.ReserveCreditsAsync(user, "video-generation", "veo2", amount: 30));
        Clock.Advance(TimeSpan.FromSeconds(5));

        var capture = await Holds(h => h.CaptureReservationAsync(hold.ReservationId!.Value, actualAmount: 12));

        var row = await Db(db => db.Reservations.AsNoTracking().SingleAsync(r => r.Id == hold.ReservationId));
        Assert.Equal((true, 12L, 38L), (capture.Success, capture.CreditsCharged, capture.Balance));
        Assert.Equal((ReservationStatus.Captured, (long?)12, capture.TransactionId, (DateTime?)Clock.GetUtcNow().UtcDateTime),
            (row.Status, row.CapturedAmount, row.TransactionId, row.SettledAt));
        var account = await Db(db => db.Accounts.AsNoTracking().SingleAsync(a => a.UserId == user));
        Assert.Equal((38L, 0L), (account.Balance, account.Reserved));
    }

    [Fact]
    public async Task Capture_Again_IsAReplayReadBackFromTheRow()
    {
        var user = await UserWithAsync(50);
        var hold = await Holds(h => h.ReserveCreditsAsync(user, "video-generation", "veo2", amount: 30));
        var first = await Holds(h => h.CaptureReservationAsync(hold.ReservationId!.Value, actualAmount: 12));

        var again = await Holds(h => h.CaptureReservationAsync(hold.ReservationId!.Value));

        Assert.Equal((true, true, ReservationStatus.Captured, 12L, first.TransactionId, 38L),
            (again.Success, again.IsReplay, again.Status, again.CreditsCharged, again.TransactionId, again.Balance));
    }

    [Fact]
    public async Task Capture_BalanceRowGone_ThrowsNamingTheUserAndLeavesTheHoldActive()
    {
        var user = await UserWithAsync(20);
        var hold = await Holds(h => h.ReserveCreditsAsync(user, "video-generation", "veo2"));
        await Db(async db =>
        {
            db.Accounts.Remove(await db.Accounts.SingleAsync(a => a.UserId == user));
            return await db.SaveChangesAsync();
        });

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Holds(h => h.CaptureReservationAsync(hold.ReservationId!.Value)));

        Assert.Equal($"The balance row of {user}, who holds credits, is missing.", error.Message);
        Assert.Equal(ReservationStatus.Active, (await Db(db => db.Reservations.AsNoTracking().SingleAsync(r => r.Id == hold.ReservationId))).Status);
    }

    [Fact]
    public async Task PlanSummary_UserWithoutSubscription_IsNone_WithOnlyACanceledOne_IsThatOne()
    {
        var (none, canceled) = (await UserWithAsync(5), await UserWithAsync(5));
        var now = Clock.GetUtcNow().UtcDateTime;
        await Db(async db =>
        {
            db.Add(new CreditSubscriptionRow
            {
                Id = "sub_" + Guid.NewGuid().ToString("N"), UserId = canceled, PlanId = "plan-gone", Status = CreditSubscriptionStatus.Canceled,
                CreatedAt = now, UpdatedAt = now,
            });
            return await db.SaveChangesAsync();
        });

        await using var scope = Services.CreateAsyncScope();
        var subscriptions = scope.ServiceProvider.GetRequiredService<CreditSubscriptions>();
        Assert.Null(await subscriptions.GetSummaryAsync(none, CancellationToken.None));
        var summary = await subscriptions.GetSummaryAsync(canceled, CancellationToken.None);
        Assert.Equal(("plan-gone", CreditSubscriptionStatus.Canceled), (summary?.PlanId, summary?.Status));
    }
}

public sealed class SqliteHoldRowTests(SqliteCreditsDatabase database) : HoldRowTests<SqliteCreditsDatabase>(database);

public sealed class PostgresHoldRowTests(PostgresCreditsDatabase database) : HoldRowTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbHoldRowTests(MariaDbCreditsDatabase database) : HoldRowTests<MariaDbCreditsDatabase>(database);
