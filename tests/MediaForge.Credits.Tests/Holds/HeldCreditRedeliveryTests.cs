using MediaForge.Credits.Entities;
using MediaForge.Credits.Tests.Infrastructure;

namespace MediaForge.Credits.Tests.Holds;

/// <summary>
/// A refund or dispute of a purchase whose credits are held, delivered twice (at once, or again later with an older
/// figure): it takes the credits once.
/// </summary>
public abstract class HeldCreditRedeliveryTests<TDatabase>(TDatabase database) : HeldCreditClawbackTestsBase<TDatabase>(database)
    where TDatabase : CreditsDatabase
{
    [Fact]
    public async Task RecordRefund_DeliveredTwiceAtOnceWhileHeld_RemovesThePackOnce()
    {
        var (user, _, payment) = await BuyProAsync();
        await Credits(c => c.AddCreditsAsync(user, 100, CreditTransactionType.Purchase, "other credits"));
        var hold = await HoldAsync(user, 250);

        var refunds = await Task.WhenAll(
            Task.Run(() => Purchases(p => p.RecordRefundAsync(payment, 2999))),
            Task.Run(() => Purchases(p => p.RecordRefundAsync(payment, 2999))));
        await Holds(h => h.ReleaseReservationAsync(hold.ReservationId!.Value));

        Assert.Equal(200, refunds.Sum(r => r.CreditsRemoved));
        var state = await StateAsync(user);
        Assert.Equal((100L, 100L, 0L, 100L, 200L), (state.Balance, state.Ledger, state.Reserved, state.Available, state.Reversed));
    }

    [Fact]
    public async Task RecordDispute_OpenRedeliveredWithASmallerAmount_RestoresNothing()
    {
        var (user, _, payment) = await BuyProAsync();
        await HoldAsync(user, 200);

        await Purchases(p => p.RecordDisputeAsync(payment, "dp_again", 2999, PaymentDisputeState.Open));
        var older = await Purchases(p => p.RecordDisputeAsync(payment, "dp_again", 1500, PaymentDisputeState.Open));

        Assert.Equal((0L, 0L), (older.CreditsRemoved, older.CreditsRestored));
        var state = await StateAsync(user);
        Assert.Equal((0L, 0L, 200L), (state.Balance, state.Ledger, state.Reversed));
    }

    [Fact]
    public async Task RecordDispute_FreezePolicyDeliveredTwiceAtOnceWhileHeld_FreezesOnce()
    {
        var (user, _, payment) = await BuyProAsync();
        var hold = await HoldAsync(user, 150, FreezeServices);

        await Task.WhenAll(
            Task.Run(() => Purchases(p => p.RecordDisputeAsync(payment, "dp_twice", 2999, PaymentDisputeState.Open), FreezeServices)),
            Task.Run(() => Purchases(p => p.RecordDisputeAsync(payment, "dp_twice", 2999, PaymentDisputeState.Open), FreezeServices)));
        await Holds(h => h.CaptureReservationAsync(hold.ReservationId!.Value), FreezeServices);
        await Purchases(p => p.RecordDisputeAsync(payment, "dp_twice", 2999, PaymentDisputeState.Won), FreezeServices);

        var state = await StateAsync(user);
        Assert.Equal((50L, 50L, 0L, 50L, 0L), (state.Balance, state.Ledger, state.Reserved, state.Available, state.Reversed));
    }

    [Fact]
    public async Task RecordRefund_RedeliveredWithAnOlderSmallerFigure_RemovesNothingMore()
    {
        var (user, _, payment) = await BuyProAsync();
        await HoldAsync(user, 200);

        await Purchases(p => p.RecordRefundAsync(payment, 2999));
        var older = await Purchases(p => p.RecordRefundAsync(payment, 1500));

        Assert.Equal((0L, 0L), (older.CreditsRemoved, older.CreditsRestored));
        var state = await StateAsync(user);
        Assert.Equal((0L, 200L, 200L), (state.Balance, state.Reserved, state.Reversed));
    }
}

public sealed class SqliteHeldCreditRedeliveryTests(SqliteCreditsDatabase database) : HeldCreditRedeliveryTests<SqliteCreditsDatabase>(database);

public sealed class PostgresHeldCreditRedeliveryTests(PostgresCreditsDatabase database) : HeldCreditRedeliveryTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbHeldCreditRedeliveryTests(MariaDbCreditsDatabase database) : HeldCreditRedeliveryTests<MariaDbCreditsDatabase>(database);
