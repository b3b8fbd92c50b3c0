using MediaForge.Credits.Events;
using MediaForge.Credits.Tests.Infrastructure;
using MediaForge.Credits.Tests.Purchases;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace MediaForge.Credits.Tests.Events;

/// <summary>Granted, PurchaseCompleted, PurchaseRefunded and HoldExpired: each written with its change, once.</summary>
public abstract class RaisedEventTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider clock = new(Start);
    private ServiceProvider? services;

    private ServiceProvider Services => services ??= Outbox.Build(database, threshold: 0, clock);

    private Task<T> Credits<T>(Func<ICreditService, Task<T>> action) => database.WithCreditsAsync(action, Services);

    [Fact]
    public async Task AddCredits_RaisesGrantedWithTheAmountBalanceTypeAndRow()
    {
        var user = Outbox.NewUser();

        var result = await Credits(c => c.AddCreditsAsync(user, 25, CreditTransactionType.Bonus, "welcome"));

        var granted = Assert.Single(await Outbox.EventsAsync<Granted>(Services, user));
        Assert.Equal((25L, 25L, CreditTransactionType.Bonus, result.TransactionId, Start),
            (granted.Amount, granted.Balance, granted.TransactionType, granted.TransactionId, granted.OccurredAt));
    }

    [Fact]
    public async Task AddCredits_ReplayedKey_RaisesNoSecondGranted()
    {
        var user = Outbox.NewUser();

        await Credits(c => c.AddCreditsAsync(user, 25, CreditTransactionType.Bonus, "welcome", idempotencyKey: "k1"));
        var replay = await Credits(c => c.AddCreditsAsync(user, 25, CreditTransactionType.Bonus, "welcome", idempotencyKey: "k1"));

        Assert.True(replay.IsReplay);
        Assert.Equal(1, await Outbox.CountAsync(Services, user, Granted.TypeName));
    }

    [Fact]
    public async Task Events_EachHasItsOwnId()
    {
        var user = Outbox.NewUser();

        await Credits(c => c.AddCreditsAsync(user, 1, CreditTransactionType.Bonus, "a"));
        await Credits(c => c.AddCreditsAsync(user, 2, CreditTransactionType.Bonus, "b"));

        var events = await Outbox.EventsAsync<Granted>(Services, user);
        Assert.Equal(2, events.Select(e => e.EventId).Distinct().Count());
        Assert.All(await Outbox.RowsAsync(Services, user), r => Assert.Contains(events, e => e.EventId == r.Id));
    }

    [Fact]
    public async Task CompletePurchase_RaisesPurchaseCompletedOnceWhateverTheRetries()
    {
        var user = Outbox.NewUser();
        var session = "cs_test_" + Guid.NewGuid().ToString("N");
        var purchase = await database.WithPurchasesAsync(p => p.StartPurchaseAsync(user, "pro", "stripe"), Services);
        await database.WithPurchasesAsync(async p => { await p.AttachSessionAsync(purchase.Id, session); return true; }, Services);

        await database.WithPurchasesAsync(p => p.CompletePurchaseAsync(session, 2999, "usd", "pro"), Services);
        await database.WithPurchasesAsync(p => p.CompletePurchaseAsync(session, 2999, "usd", "pro"), Services);

        var completed = Assert.Single(await Outbox.EventsAsync<PurchaseCompleted>(Services, user));
        Assert.Equal((purchase.Id, "pro", 200L, 2999L, "usd"), (completed.PurchaseId, completed.PackageId, completed.Credits, completed.AmountCents, completed.Currency));
        Assert.Equal(1, await Outbox.CountAsync(Services, user, Granted.TypeName));
    }

    [Fact]
    public async Task RecordRefund_RaisesPurchaseRefundedWithTheCreditsRemoved_OncePerRaise()
    {
        var (user, payment) = await BuyAsync();

        await database.WithPurchasesAsync(p => p.RecordRefundAsync(payment, 1500), Services);
        await database.WithPurchasesAsync(p => p.RecordRefundAsync(payment, 1500), Services); // duplicate delivery

        var refunded = Assert.Single(await Outbox.EventsAsync<PurchaseRefunded>(Services, user));
        Assert.Equal((1500L, 100L), (refunded.RefundedAmountCents, refunded.CreditsRemoved));
    }

    [Fact]
    public async Task ExpireReservations_LapsedHold_RaisesHoldExpired()
    {
        var user = Outbox.NewUser();
        await Credits(c => c.AddCreditsAsync(user, 10, CreditTransactionType.Purchase, "pack"));
        await using var scope = Services.CreateAsyncScope();
        var holds = scope.ServiceProvider.GetRequiredService<ICreditReservationService>();
        var hold = await holds.ReserveCreditsAsync(user, "image-generation", "default", TimeSpan.FromMinutes(1));

        clock.Advance(TimeSpan.FromMinutes(2));
        await holds.ExpireReservationsAsync();

        var expired = Assert.Single(await Outbox.EventsAsync<HoldExpired>(Services, user));
        Assert.Equal((hold.ReservationId, 3L), (expired.ReservationId, expired.Amount));
    }

    [Fact]
    public async Task DeductCredits_OverALapsedHold_RaisesItsHoldExpired()
    {
        var user = Outbox.NewUser();
        await Credits(c => c.AddCreditsAsync(user, 10, CreditTransactionType.Purchase, "pack"));
        await using var scope = Services.CreateAsyncScope();
        var hold = await scope.ServiceProvider.GetRequiredService<ICreditReservationService>()
            .ReserveCreditsAsync(user, "video-generation", "hailuo", TimeSpan.FromMinutes(1));
        clock.Advance(TimeSpan.FromMinutes(2));

        Assert.True((await Credits(c => c.DeductCreditsAsync(user, "video-generation", "hailuo"))).Success);

        var expired = Assert.Single(await Outbox.EventsAsync<HoldExpired>(Services, user));
        Assert.Equal((hold.ReservationId, 8L), (expired.ReservationId, expired.Amount));
    }

    [Fact]
    public async Task ReleaseReservation_BeforeItsExpiry_RaisesNoHoldExpired()
    {
        var user = Outbox.NewUser();
        await Credits(c => c.AddCreditsAsync(user, 10, CreditTransactionType.Purchase, "pack"));
        await using var scope = Services.CreateAsyncScope();
        var holds = scope.ServiceProvider.GetRequiredService<ICreditReservationService>();
        var hold = await holds.ReserveCreditsAsync(user, "image-generation", "default", TimeSpan.FromMinutes(1));

        await holds.ReleaseReservationAsync(hold.ReservationId!.Value);

        Assert.Equal(0, await Outbox.CountAsync(Services, user, HoldExpired.TypeName));
    }

    private async Task<(string User, string Payment)> BuyAsync()
    {
        var user = Outbox.NewUser();
        var session = "cs_test_" + Guid.NewGuid().ToString("N");
        var payment = "pi_test_" + Guid.NewGuid().ToString("N");
        var purchase = await database.WithPurchasesAsync(p => p.StartPurchaseAsync(user, "pro", "stripe"), Services);
        await database.WithPurchasesAsync(async p => { await p.AttachSessionAsync(purchase.Id, session); return true; }, Services);
        await database.WithPurchasesAsync(p => p.CompletePurchaseAsync(session, 2999, "usd", "pro", payment), Services);
        return (user, payment);
    }
}

public sealed class SqliteRaisedEventTests(SqliteCreditsDatabase database) : RaisedEventTests<SqliteCreditsDatabase>(database);

public sealed class PostgresRaisedEventTests(PostgresCreditsDatabase database) : RaisedEventTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbRaisedEventTests(MariaDbCreditsDatabase database) : RaisedEventTests<MariaDbCreditsDatabase>(database);
