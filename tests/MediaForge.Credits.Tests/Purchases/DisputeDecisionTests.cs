using MediaForge.Credits.Entities;
using MediaForge.Credits.Storage;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MediaForge.Credits.Tests.Purchases;

/// <summary>
/// How refunds and disputes decide what to take back: another dispute on the same payment, a smaller amount in a new
/// state, the freeze policy, what the ledger rows say, and a payment of nothing.
/// </summary>
public abstract class DisputeDecisionTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private ServiceProvider? freezeServices;

    private ServiceProvider FreezeServices => freezeServices ??= database.BuildServices(database.ConnectionString, o => o.DisputePolicy = CreditDisputePolicy.FreezeOnOpen);

    private Task<PurchaseReversalResult> DisputeAsync(string payment, string dispute, long cents, PaymentDisputeState state, IServiceProvider? services = null) =>
        database.WithPurchasesAsync(p => p.RecordDisputeAsync(payment, dispute, cents, state), services);

    private Task<PurchaseReversalResult> RefundAsync(string payment, long cents) => database.WithPurchasesAsync(p => p.RecordRefundAsync(payment, cents));

    private Task<CreditBalance> BalanceAsync(string user) => database.WithCreditsAsync(c => c.GetBalanceAsync(user));

    private async Task<T> Db<T>(Func<CreditsDbContext, Task<T>> action)
    {
        await using var scope = database.Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<CreditsDbContext>());
    }

    /// <summary>Spends 150 of the Pro pack's 200 credits (ten 15-credit videos).</summary>
    private async Task SpendAsync(string user)
    {
        for (var i = 0; i < 10; i++)
        {
            await database.WithCreditsAsync(c => c.DeductCreditsAsync(user, "video-generation", "veo2"));
        }
    }

    [Fact]
    public async Task RecordRefund_Partial_WritesARefundRowSayingWhyWithTheBalanceAfter()
    {
        var (user, payment) = await database.BuyAsync();

        await RefundAsync(payment, 1500);

        var row = await Db(db => db.Transactions.SingleAsync(t => t.UserId == user && t.Type == CreditTransactionType.Refund));
        Assert.Equal((-100L, 100L, "Payment refunded: pro pack credits removed"), (row.Amount, row.BalanceAfter, row.Description));
    }

    [Fact]
    public async Task RecordDispute_Open_WritesARefundRowSayingItIsADispute()
    {
        var (user, payment) = await database.BuyAsync();

        await DisputeAsync(payment, "dp_row", 2999, PaymentDisputeState.Open);

        var row = await Db(db => db.Transactions.SingleAsync(t => t.UserId == user && t.Type == CreditTransactionType.Refund));
        Assert.Equal("Payment disputed: pro pack credits removed", row.Description);
    }

    [Fact]
    public async Task RecordRefund_NothingLeftToTake_WritesNoEmptyLedgerRow()
    {
        var (user, payment) = await database.BuyAsync();
        await SpendAsync(user);
        await RefundAsync(payment, 1500);

        var result = await RefundAsync(payment, 2999);

        Assert.Equal((0L, 100L), (result.CreditsRemoved, result.Shortfall));
        Assert.Equal(1, await Db(db => db.Transactions.CountAsync(t => t.UserId == user && t.Type == CreditTransactionType.Refund)));
    }

    [Fact]
    public async Task RecordDispute_NewDisputeOpenedAfterAnotherWasWon_RemovesTheCredits()
    {
        var (user, payment) = await database.BuyAsync();
        await DisputeAsync(payment, "dp_first", 2999, PaymentDisputeState.Open);
        await DisputeAsync(payment, "dp_first", 2999, PaymentDisputeState.Won);

        var second = await DisputeAsync(payment, "dp_second", 2999, PaymentDisputeState.Open);

        Assert.Equal((200L, 0L), (second.CreditsRemoved, (await BalanceAsync(user)).Balance));
    }

    [Fact]
    public async Task RecordDispute_AnotherDisputeOpenForLess_TakesOnlyItsShare()
    {
        var (user, payment) = await database.BuyAsync();
        await DisputeAsync(payment, "dp_big", 2999, PaymentDisputeState.Open);

        var smaller = await DisputeAsync(payment, "dp_small", 1500, PaymentDisputeState.Open);

        Assert.Equal((100L, 100L), (smaller.CreditsRestored, (await BalanceAsync(user)).Balance));
    }

    [Fact]
    public async Task RecordDispute_LostForLessThanOpened_RemovesOnlyTheLostShare()
    {
        var (user, payment) = await database.BuyAsync();
        await DisputeAsync(payment, "dp_less", 2999, PaymentDisputeState.Open);

        var lost = await DisputeAsync(payment, "dp_less", 1500, PaymentDisputeState.Lost);

        Assert.Equal((100L, 100L), (lost.CreditsRestored, (await BalanceAsync(user)).Balance));
    }

    [Fact]
    public async Task RecordDispute_LostForLessAfterCreditsWereSpent_KeepsTheShortfallOfTheLostShare()
    {
        var (user, payment) = await database.BuyAsync();
        await SpendAsync(user);
        await DisputeAsync(payment, "dp_spent", 2999, PaymentDisputeState.Open);

        var lost = await DisputeAsync(payment, "dp_spent", 1500, PaymentDisputeState.Lost);

        var row = await Db(db => db.Purchases.SingleAsync(p => p.UserId == user));
        Assert.Equal((0L, 50L, 50L), (lost.CreditsRestored, row.CreditsClawedBack, row.ClawbackShortfall));
    }

    [Fact]
    public async Task RecordDispute_AmountAbovePayment_RecordsThePaymentAmount()
    {
        var (user, payment) = await database.BuyAsync();

        await DisputeAsync(payment, "dp_above", 5000, PaymentDisputeState.Open);

        Assert.Equal(2999, await Db(db => db.Purchases.Where(p => p.UserId == user).Select(p => p.DisputedAmountCents).SingleAsync()));
    }

    [Fact]
    public async Task RecordDispute_OpenWithoutTheFreezePolicy_HoldsNothing()
    {
        var (user, payment) = await database.BuyAsync();

        await DisputeAsync(payment, "dp_nofreeze", 1500, PaymentDisputeState.Open);

        Assert.Equal(0, await Db(db => db.Reservations.CountAsync(r => r.UserId == user)));
    }

    [Fact]
    public async Task RecordDispute_FreezePolicyOpenForPart_FreezesOnlyThatShare()
    {
        var (user, payment) = await database.BuyAsync();

        await DisputeAsync(payment, "dp_part", 1500, PaymentDisputeState.Open, FreezeServices);

        var balance = await BalanceAsync(user);
        Assert.Equal((200L, 100L), (balance.Balance, balance.Available));
    }

    [Fact]
    public async Task RecordDispute_FreezePolicyOpen_RecordsTheHoldAsAFrozenDispute()
    {
        var (user, payment) = await database.BuyAsync();

        await DisputeAsync(payment, "dp_hold", 2999, PaymentDisputeState.Open, FreezeServices);

        var hold = await Db(db => db.Reservations.SingleAsync(r => r.UserId == user));
        Assert.Equal(("dispute", "frozen", 200L), (hold.Feature, hold.Model, hold.Amount));
    }

    [Fact]
    public async Task RecordRefund_PurchaseOfAFreeOfChargePaidPack_StaysCompletedAndRemovesNothing()
    {
        var package = "gift-" + Guid.NewGuid().ToString("N")[..12];
        await Db(db =>
        {
            db.Packages.Add(new CreditPackage { Id = package, Name = "Gift", Credits = 10, PriceCents = 0, Currency = "usd", CreatedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow });
            return db.SaveChangesAsync();
        });
        var (user, payment) = await database.BuyAsync(package, 0);

        var result = await RefundAsync(payment, 0);

        var status = await Db(db => db.Purchases.Where(p => p.UserId == user).Select(p => p.Status).SingleAsync());
        Assert.Equal((0L, 10L, PurchaseStatus.Completed), (result.CreditsRemoved, result.Balance!.Value, status));
    }
}

public sealed class SqliteDisputeDecisionTests(SqliteCreditsDatabase database) : DisputeDecisionTests<SqliteCreditsDatabase>(database);

public sealed class PostgresDisputeDecisionTests(PostgresCreditsDatabase database) : DisputeDecisionTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbDisputeDecisionTests(MariaDbCreditsDatabase database) : DisputeDecisionTests<MariaDbCreditsDatabase>(database);
