using MediaForge.Credits.Entities;
using MediaForge.Credits.Storage;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace MediaForge.Credits.Tests.Holds;

/// <summary>
/// Refunds and disputes of a purchase whose credits are held: the clawback reaches held credits, and the end of the
/// hold (release or capture) settles against what is left, whatever the order of hold, refund and end.
/// </summary>
public abstract class HeldCreditClawbackTests<TDatabase>(TDatabase database) : HeldCreditClawbackTestsBase<TDatabase>(database)
    where TDatabase : CreditsDatabase
{
    public static TheoryData<bool, string, long, long> EveryOrder()
    {
        // H = hold, P = refund of 1000 cents (67 credits), R = refund of the cumulative figure, C = capture, X = release.
        var data = new TheoryData<bool, string, long, long>();
        foreach (var debt in new[] { false, true })
        {
            foreach (var (events, hold, refundCents) in new[] { ("HR", 200L, 2999L), ("HR", 100L, 1500L), ("HR", 150L, 1500L), ("HPR", 150L, 2999L) })
            {
                foreach (var end in new[] { 'C', 'X' })
                {
                    foreach (var order in Permutations(events + end).Where(o => o.IndexOf('H') < o.IndexOf(end)))
                    {
                        data.Add(debt, order, hold, refundCents);
                    }
                }
            }
        }

        return data;
    }

    private static IEnumerable<string> Permutations(string steps) => steps.Length <= 1
        ? [steps]
        : steps.SelectMany((step, i) => Permutations(steps.Remove(i, 1)).Select(rest => step + rest));

    [Theory]
    [MemberData(nameof(EveryOrder))]
    public async Task RefundOfHeldCredits_InEveryOrder_EndsTheSame(bool debt, string order, long hold, long fullRefundCents)
    {
        var services = debt ? DebtServices : Database.Services;
        var (user, _, payment) = await BuyProAsync();
        long refundedCents = 0;
        Guid? reservation = null;
        var ran = false;
        foreach (var step in order)
        {
            switch (step)
            {
                case 'H':
                    var held = await HoldAsync(user, hold, services);
                    reservation = held.ReservationId;
                    ran = held.Success;
                    Assert.Equal(hold <= 200 - Credits(refundedCents), held.Success);
                    break;
                case 'P':
                    refundedCents = Math.Max(refundedCents, 1000);
                    await Purchases(p => p.RecordRefundAsync(payment, 1000), services);
                    break;
                case 'R':
                    refundedCents = Math.Max(refundedCents, fullRefundCents);
                    await Purchases(p => p.RecordRefundAsync(payment, fullRefundCents), services);
                    break;
                case 'C' when reservation is { } id:
                    Assert.True((await Holds(h => h.CaptureReservationAsync(id), services)).Success);
                    break;
                case 'X' when reservation is { } id:
                    Assert.True((await Holds(h => h.ReleaseReservationAsync(id), services)).Success);
                    break;
            }

            await AssertInvariantsAsync(user);
        }

        var spent = ran && order.Contains('C', StringComparison.Ordinal) ? hold : 0;
        var left = 200 - Credits(refundedCents) - spent;
        var expected = debt ? left : Math.Max(0, left);
        var state = await StateAsync(user);
        Assert.Equal((expected, expected, 0L, expected, Credits(refundedCents)),
            (state.Balance, state.Ledger, state.Reserved, state.Available, state.Reversed));
    }

    [Fact]
    public async Task RecordRefund_AllCreditsHeld_RemovesThemAndTheReleaseFreesNothing()
    {
        var (user, _, payment) = await BuyProAsync();
        var hold = await HoldAsync(user, 200);

        var refund = await Purchases(p => p.RecordRefundAsync(payment, 2999));
        await Holds(h => h.ReleaseReservationAsync(hold.ReservationId!.Value));

        Assert.Equal(200, refund.CreditsRemoved);
        var state = await StateAsync(user);
        Assert.Equal((0L, 0L, 0L), (state.Balance, state.Available, state.Reserved));
    }

    [Fact]
    public async Task Capture_OfHeldCreditsARefundTookPartOf_IsReadBackAsWhatItCharged()
    {
        var (user, _, payment) = await BuyProAsync();
        var hold = await HoldAsync(user, 150);
        await Purchases(p => p.RecordRefundAsync(payment, 1500));

        var captured = await Holds(h => h.CaptureReservationAsync(hold.ReservationId!.Value));
        var again = await Holds(h => h.CaptureReservationAsync(hold.ReservationId!.Value));

        Assert.Equal((100L, 100L), (captured.CreditsCharged, again.CreditsCharged));
        Assert.True(again.IsReplay);
    }

    [Fact]
    public async Task CaptureExpired_OfNothingAfterAClawbackLeftTheBalanceUnderItsHolds_Succeeds()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var timed = Database.BuildServices(Database.ConnectionString, time: clock);
        var (user, _, payment) = await BuyProAsync();
        var lapsing = await Holds(h => h.ReserveCreditsAsync(user, "video-generation", "veo2", ttl: TimeSpan.FromMinutes(5)), timed);
        await HoldAsync(user, 185, timed);
        clock.Advance(TimeSpan.FromMinutes(6));
        await Purchases(p => p.RecordRefundAsync(payment, 2999), timed);

        var late = await Holds(h => h.CaptureExpiredReservationAsync(lapsing.ReservationId!.Value, actualAmount: 0), timed);

        Assert.Equal((true, ReservationStatus.Captured, 0L), (late.Success, late.Status, late.CreditsCharged));
        Assert.Equal((0L, 185L), ((await StateAsync(user)).Balance, (await StateAsync(user)).Reserved));
    }

    [Fact]
    public async Task RecordDispute_FreezePolicyWithCreditsHeld_KeepsThemFrozenAfterTheHoldIsReleased()
    {
        var (user, _, payment) = await BuyProAsync();
        var hold = await HoldAsync(user, 200, FreezeServices);

        await Purchases(p => p.RecordDisputeAsync(payment, "dp_held", 2999, PaymentDisputeState.Open), FreezeServices);
        await Holds(h => h.ReleaseReservationAsync(hold.ReservationId!.Value), FreezeServices);

        var state = await StateAsync(user);
        Assert.Equal((200L, 0L, 200L), (state.Balance, state.Available, state.Reserved));
        await AssertInvariantsAsync(user);
    }

    [Fact]
    public async Task RecordDispute_FreezePolicyWithCreditsHeldThenLost_RemovesThemAll()
    {
        var (user, _, payment) = await BuyProAsync();
        var hold = await HoldAsync(user, 200, FreezeServices);

        await Purchases(p => p.RecordDisputeAsync(payment, "dp_held_lost", 2999, PaymentDisputeState.Open), FreezeServices);
        await Holds(h => h.ReleaseReservationAsync(hold.ReservationId!.Value), FreezeServices);
        await Purchases(p => p.RecordDisputeAsync(payment, "dp_held_lost", 2999, PaymentDisputeState.Lost), FreezeServices);

        var state = await StateAsync(user);
        Assert.Equal((0L, 0L, 0L, 200L), (state.Balance, state.Available, state.Reserved, state.Reversed));
    }

    [Fact]
    public async Task RecordRefund_OtherGrantExpires_TakesThePurchasedCreditsAndKeepsTheOtherExpiry()
    {
        var user = "user_" + Guid.NewGuid().ToString("N");
        var expiresAt = DateTimeOffset.UtcNow.AddDays(7);
        await Credits(c => c.AddExpiringCreditsAsync(user, 50, CreditTransactionType.Bonus, "promotion", expiresAt));
        var (_, _, payment) = await BuyProAsync(user);

        await Purchases(p => p.RecordRefundAsync(payment, 2999));

        var balance = await Credits(c => c.GetBalanceAsync(user));
        Assert.Equal(50, balance.Balance);
        Assert.Equal(50, balance.NextExpiration?.Amount);
        await AssertInvariantsAsync(user);
    }

    [Fact]
    public async Task RecordDispute_WonForAnExpiringPack_RestoresTheCreditsWithTheirExpiry()
    {
        await using (var scope = Database.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<CreditsDbContext>();
            await db.Packages.Where(p => p.Id == "enterprise").ExecuteUpdateAsync(s => s.SetProperty(p => p.CreditLifetimeDays, 30));
        }

        var user = "user_" + Guid.NewGuid().ToString("N");
        var session = "cs_test_" + Guid.NewGuid().ToString("N");
        var payment = "pi_test_" + Guid.NewGuid().ToString("N");
        var purchase = await Purchases(p => p.StartPurchaseAsync(user, "enterprise", "stripe"));
        await Purchases(async p => { await p.AttachSessionAsync(purchase.Id, session); return true; });
        await Purchases(p => p.CompletePurchaseAsync(session, 9999, "usd", "enterprise", payment));

        await Purchases(p => p.RecordDisputeAsync(payment, "dp_exp", 9999, PaymentDisputeState.Open));
        await Purchases(p => p.RecordDisputeAsync(payment, "dp_exp", 9999, PaymentDisputeState.Won));

        var balance = await Credits(c => c.GetBalanceAsync(user));
        Assert.Equal((1000L, 1000L), (balance.Balance, balance.NextExpiration?.Amount ?? 0));
    }

    [Fact]
    public async Task CompletePurchase_AgainAfterAFullRefund_StaysRefundedWithItsCompletionTime()
    {
        var (user, session, payment) = await BuyProAsync();
        var completedAt = (await Purchases(p => p.FindBySessionAsync(session)))!.CompletedAt;
        await Purchases(p => p.RecordRefundAsync(payment, 2999));

        var again = await Purchases(p => p.CompletePurchaseAsync(session, 2999, "usd", "pro", payment));

        var purchase = (await Purchases(p => p.FindBySessionAsync(session)))!;
        Assert.Equal(PurchaseFulfilmentOutcome.AlreadyCompleted, again.Outcome);
        Assert.Equal((PurchaseStatus.Refunded, completedAt), (purchase.Status, purchase.CompletedAt));
        Assert.Equal(0, (await Credits(c => c.GetBalanceAsync(user))).Balance);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task RecordRefund_RacingTheEndOfTheHold_LeavesNothingSpendable(bool capture)
    {
        var buyers = await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            var (user, _, payment) = await BuyProAsync();
            return (user, payment, (await HoldAsync(user, 200)).ReservationId!.Value);
        }));

        await Task.WhenAll(buyers.SelectMany(b => new Task[]
        {
            Task.Run(() => Purchases(p => p.RecordRefundAsync(b.payment, 2999))),
            Task.Run(() => capture ? Holds(h => h.CaptureReservationAsync(b.Item3)) : Holds(h => h.ReleaseReservationAsync(b.Item3))),
        }));

        foreach (var (user, _, _) in buyers)
        {
            var state = await StateAsync(user);
            Assert.Equal((0L, 0L, 0L, 0L, 200L), (state.Balance, state.Ledger, state.Reserved, state.Available, state.Reversed));
        }
    }

}

public sealed class SqliteHeldCreditClawbackTests(SqliteCreditsDatabase database) : HeldCreditClawbackTests<SqliteCreditsDatabase>(database);

public sealed class PostgresHeldCreditClawbackTests(PostgresCreditsDatabase database) : HeldCreditClawbackTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbHeldCreditClawbackTests(MariaDbCreditsDatabase database) : HeldCreditClawbackTests<MariaDbCreditsDatabase>(database);
