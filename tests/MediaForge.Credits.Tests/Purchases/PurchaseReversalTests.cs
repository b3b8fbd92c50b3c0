using MediaForge.Credits.Entities;
using MediaForge.Credits.Storage;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MediaForge.Credits.Tests.Purchases;

/// <summary>Refunds and disputes of paid purchases: proportional clawback, restore when won, never applied twice.</summary>
public abstract class PurchaseReversalTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private ServiceProvider? debtServices;

    private ServiceProvider? freezeServices;

    private ServiceProvider FreezeServices => freezeServices ??= database.BuildServices(database.ConnectionString, o => o.DisputePolicy = CreditDisputePolicy.FreezeOnOpen);

    private ServiceProvider DebtServices => debtServices ??= database.BuildServices(database.ConnectionString, o => o.ClawbackPolicy = CreditClawbackPolicy.AllowNegativeBalance);

    private async Task<T> With<T, TService>(Func<TService, Task<T>> action, IServiceProvider? services = null)
        where TService : notnull
    {
        await using var scope = (services ?? database.Services).CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<TService>());
    }

    private Task<T> Purchases<T>(Func<ICreditPurchaseService, Task<T>> action, IServiceProvider? services = null) => database.WithPurchasesAsync(action, services);

    /// <summary>A user who bought the Pro pack (200 credits, 2999 cents) with payment <c>pi_...</c>.</summary>
    private Task<(string User, string Payment)> BuyProAsync() => database.BuyAsync();

    private async Task<(long Balance, long LedgerSum, PurchaseStatus Status, long ClawedBack, long Shortfall)> StateAsync(string user)
    {
        await using var scope = database.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CreditsDbContext>();
        var balance = await db.Accounts.Where(a => a.UserId == user).Select(a => a.Balance).SingleAsync();
        var sum = (await db.Transactions.Where(t => t.UserId == user).Select(t => t.Amount).ToListAsync()).Sum();
        var purchase = await db.Purchases.SingleAsync(p => p.UserId == user);
        return (balance, sum, purchase.Status, purchase.CreditsClawedBack, purchase.ClawbackShortfall);
    }

    [Fact]
    public async Task RecordRefund_Full_RemovesThePurchasedCredits()
    {
        var (user, payment) = await BuyProAsync();

        var result = await Purchases(p => p.RecordRefundAsync(payment, 2999));

        Assert.Equal((true, 200L, 0L), (result.Found, result.CreditsRemoved, result.Balance!.Value));
        Assert.Equal((0L, 0L, PurchaseStatus.Refunded, 200L, 0L), await StateAsync(user));
    }

    [Fact]
    public async Task RecordRefund_Partial_RemovesTheRefundedShare()
    {
        var (user, payment) = await BuyProAsync();

        var result = await Purchases(p => p.RecordRefundAsync(payment, 1500));

        Assert.Equal(100, result.CreditsRemoved);
        Assert.Equal((100L, 100L, PurchaseStatus.Completed, 100L, 0L), await StateAsync(user));
    }

    [Fact]
    public async Task RecordRefund_DuplicatedAndOutOfOrder_RemovesOnce()
    {
        var (user, payment) = await BuyProAsync();

        await Purchases(p => p.RecordRefundAsync(payment, 1500));
        await Purchases(p => p.RecordRefundAsync(payment, 2999));
        await Purchases(p => p.RecordRefundAsync(payment, 2999));
        await Purchases(p => p.RecordRefundAsync(payment, 1500));

        Assert.Equal((0L, 0L, PurchaseStatus.Refunded, 200L, 0L), await StateAsync(user));
    }

    [Fact]
    public async Task RecordRefund_CreditsAlreadySpent_ClampsAtZeroAndRecordsTheShortfall()
    {
        var (user, payment) = await BuyProAsync();
        for (var i = 0; i < 10; i++)
        {
            await With<CreditDeductionResult, ICreditService>(c => c.DeductCreditsAsync(user, "video-generation", "veo2"));
        }

        var result = await Purchases(p => p.RecordRefundAsync(payment, 2999));

        Assert.Equal((50L, 150L), (result.CreditsRemoved, result.Shortfall));
        Assert.Equal((0L, 0L, PurchaseStatus.Refunded, 50L, 150L), await StateAsync(user));
    }

    [Fact]
    public async Task RecordRefund_AllowNegativeBalancePolicy_LeavesADebtTheNextGrantRepays()
    {
        var (user, payment) = await BuyProAsync();
        for (var i = 0; i < 10; i++)
        {
            await With<CreditDeductionResult, ICreditService>(c => c.DeductCreditsAsync(user, "video-generation", "veo2"));
        }

        await Purchases(p => p.RecordRefundAsync(payment, 2999), DebtServices);
        var inDebt = await With<CreditDeductionResult, ICreditService>(c => c.DeductCreditsAsync(user, "image-generation", "default"));
        var repaid = await With<CreditTransactionResult, ICreditService>(c => c.AddCreditsAsync(user, 200, CreditTransactionType.Purchase, "new pack"));

        Assert.Equal(CreditDeductionError.InsufficientCredits, inDebt.Error);
        Assert.Equal(50, repaid.Balance);
        var (balance, sum, _, clawedBack, shortfall) = await StateAsync(user);
        Assert.Equal((50L, 50L, 200L, 0L), (balance, sum, clawedBack, shortfall));
    }

    [Fact]
    public async Task RecordDispute_OpenedThenWon_ClawsBackThenRestores()
    {
        var (user, payment) = await BuyProAsync();

        var opened = await Purchases(p => p.RecordDisputeAsync(payment, "dp_1", 2999, PaymentDisputeState.Open));
        var won = await Purchases(p => p.RecordDisputeAsync(payment, "dp_1", 2999, PaymentDisputeState.Won));

        Assert.Equal((200L, 0L), (opened.CreditsRemoved, opened.Balance!.Value));
        Assert.Equal((200L, 200L), (won.CreditsRestored, won.Balance!.Value));
        Assert.Equal((200L, 200L, PurchaseStatus.Completed, 0L, 0L), await StateAsync(user));
    }

    [Fact]
    public async Task RecordDispute_Lost_KeepsTheCreditsRemoved()
    {
        var (user, payment) = await BuyProAsync();

        await Purchases(p => p.RecordDisputeAsync(payment, "dp_2", 2999, PaymentDisputeState.Open));
        await Purchases(p => p.RecordDisputeAsync(payment, "dp_2", 2999, PaymentDisputeState.Lost));
        await Purchases(p => p.RecordDisputeAsync(payment, "dp_2", 2999, PaymentDisputeState.Open));

        Assert.Equal((0L, 0L, PurchaseStatus.Completed, 200L, 0L), await StateAsync(user));
    }

    [Fact]
    public async Task RecordDispute_WonDeliveredBeforeOpened_ChangesNothing()
    {
        var (user, payment) = await BuyProAsync();

        await Purchases(p => p.RecordDisputeAsync(payment, "dp_3", 2999, PaymentDisputeState.Won));
        await Purchases(p => p.RecordDisputeAsync(payment, "dp_3", 2999, PaymentDisputeState.Open));

        Assert.Equal((200L, 200L, PurchaseStatus.Completed, 0L, 0L), await StateAsync(user));
    }

    [Fact]
    public async Task RefundThenDisputeOpenedThenWon_RemovesThePackOnceAndRestoresNothing()
    {
        var (user, payment) = await BuyProAsync();

        await Purchases(p => p.RecordRefundAsync(payment, 2999));
        await Purchases(p => p.RecordDisputeAsync(payment, "dp_4", 2999, PaymentDisputeState.Open));
        await Purchases(p => p.RecordDisputeAsync(payment, "dp_4", 2999, PaymentDisputeState.Won));

        Assert.Equal((0L, 0L, PurchaseStatus.Refunded, 200L, 0L), await StateAsync(user));
    }

    [Fact]
    public async Task DisputeOpenedThenRefundThenDisputeWon_RemovesThePackOnceAndRestoresNothing()
    {
        var (user, payment) = await BuyProAsync();

        await Purchases(p => p.RecordDisputeAsync(payment, "dp_5", 2999, PaymentDisputeState.Open));
        await Purchases(p => p.RecordRefundAsync(payment, 2999));
        await Purchases(p => p.RecordDisputeAsync(payment, "dp_5", 2999, PaymentDisputeState.Won));

        Assert.Equal((0L, 0L, PurchaseStatus.Refunded, 200L, 0L), await StateAsync(user));
    }

    [Fact]
    public async Task RefundAndDispute_DeliveredTwiceAtOnce_NeverRemoveMoreThanThePack()
    {
        var (user, payment) = await BuyProAsync();
        await With<CreditTransactionResult, ICreditService>(c => c.AddCreditsAsync(user, 300, CreditTransactionType.Purchase, "other credits"));

        await Task.WhenAll(
            Task.Run(() => Purchases(p => p.RecordRefundAsync(payment, 2999))),
            Task.Run(() => Purchases(p => p.RecordRefundAsync(payment, 2999))),
            Task.Run(() => Purchases(p => p.RecordDisputeAsync(payment, "dp_6", 2999, PaymentDisputeState.Open))),
            Task.Run(() => Purchases(p => p.RecordDisputeAsync(payment, "dp_6", 2999, PaymentDisputeState.Open))));

        var (balance, sum, _, clawedBack, _) = await StateAsync(user);
        Assert.Equal((300L, 300L, 200L), (balance, sum, clawedBack));
    }

    [Fact]
    public async Task RecordDispute_FreezePolicyWhileOpen_HoldsTheCreditsWithoutRemovingThem()
    {
        var (user, payment) = await BuyProAsync();

        await Purchases(p => p.RecordDisputeAsync(payment, "dp_7", 2999, PaymentDisputeState.Open), FreezeServices);
        await Purchases(p => p.RecordDisputeAsync(payment, "dp_7", 2999, PaymentDisputeState.Open), FreezeServices);

        var balance = await With<CreditBalance, ICreditService>(c => c.GetBalanceAsync(user));
        Assert.Equal((200L, 0L), (balance.Balance, balance.Available));
        Assert.Equal((200L, 200L, PurchaseStatus.Completed, 0L, 0L), await StateAsync(user));
    }

    [Fact]
    public async Task RecordDispute_FreezePolicyWon_ReleasesTheFrozenCredits()
    {
        var (user, payment) = await BuyProAsync();

        await Purchases(p => p.RecordDisputeAsync(payment, "dp_8", 2999, PaymentDisputeState.Open), FreezeServices);
        await Purchases(p => p.RecordDisputeAsync(payment, "dp_8", 2999, PaymentDisputeState.Won), FreezeServices);

        var balance = await With<CreditBalance, ICreditService>(c => c.GetBalanceAsync(user));
        Assert.Equal((200L, 200L), (balance.Balance, balance.Available));
    }

    [Fact]
    public async Task RecordDispute_FreezePolicyLost_RemovesTheFrozenCredits()
    {
        var (user, payment) = await BuyProAsync();

        await Purchases(p => p.RecordDisputeAsync(payment, "dp_9", 2999, PaymentDisputeState.Open), FreezeServices);
        await Purchases(p => p.RecordDisputeAsync(payment, "dp_9", 2999, PaymentDisputeState.Lost), FreezeServices);

        var balance = await With<CreditBalance, ICreditService>(c => c.GetBalanceAsync(user));
        Assert.Equal((0L, 0L), (balance.Balance, balance.Available));
        Assert.Equal((0L, 0L, PurchaseStatus.Completed, 200L, 0L), await StateAsync(user));
    }

    public static TheoryData<string, long> EveryOrder()
    {
        // R = half refunded (100 credits), O = dispute opened, W = won, L = lost; each order delivered twice over.
        var data = new TheoryData<string, long>();
        foreach (var decision in new[] { 'W', 'L' })
        {
            foreach (var order in new[] { "ROD", "RDO", "ORD", "ODR", "DRO", "DOR" })
            {
                data.Add(order.Replace('D', decision), decision == 'W' ? 100 : 0);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(EveryOrder))]
    public async Task RefundAndDispute_InEveryOrderAndDuplicated_EndTheSame(string order, long expectedBalance)
    {
        var (user, payment) = await BuyProAsync();

        foreach (var step in order + order)
        {
            await (step switch
            {
                'R' => Purchases(p => p.RecordRefundAsync(payment, 1500)),
                'O' => Purchases(p => p.RecordDisputeAsync(payment, "dp_x", 2999, PaymentDisputeState.Open)),
                'W' => Purchases(p => p.RecordDisputeAsync(payment, "dp_x", 2999, PaymentDisputeState.Won)),
                _ => Purchases(p => p.RecordDisputeAsync(payment, "dp_x", 2999, PaymentDisputeState.Lost)),
            });
        }

        var (balance, sum, _, clawedBack, _) = await StateAsync(user);
        Assert.Equal((expectedBalance, expectedBalance, 200 - expectedBalance), (balance, sum, clawedBack));
    }

    [Fact]
    public async Task RecordRefund_UnknownPayment_IsNotFoundAndChangesNothing()
    {
        var result = await Purchases(p => p.RecordRefundAsync("pi_unknown", 100));

        Assert.False(result.Found);
    }
}

public sealed class SqlitePurchaseReversalTests(SqliteCreditsDatabase database) : PurchaseReversalTests<SqliteCreditsDatabase>(database);

public sealed class PostgresPurchaseReversalTests(PostgresCreditsDatabase database) : PurchaseReversalTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbPurchaseReversalTests(MariaDbCreditsDatabase database) : PurchaseReversalTests<MariaDbCreditsDatabase>(database);
