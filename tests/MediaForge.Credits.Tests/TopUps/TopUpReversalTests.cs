using MediaForge.Credits.Entities;
using MediaForge.Credits.Events;
using MediaForge.Credits.Storage;
using MediaForge.Credits.Tests.Events;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static MediaForge.Credits.Tests.TopUps.TopUpScenario;

namespace MediaForge.Credits.Tests.TopUps;

/// <summary>
/// A paid top-up is a completed purchase of its pack, found by its payment intent: a refund or dispute of that payment
/// takes the top-up's credits back like any purchase's (decision 0015), once, whatever the deliveries.
/// </summary>
public abstract class TopUpReversalTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private ServiceProvider? services;

    private ServiceProvider Services => services ??= Build(database);

    /// <summary>A wallet whose top-up was paid by <paramref name="paymentIntent"/>: 9 + 200 credits.</summary>
    private async Task<string> PaidAsync(string paymentIntent)
    {
        var (wallet, topUp) = await CrossedAsync(Services);
        Assert.Equal(MediaForge.Credits.TopUps.CreditTopUpOutcome.Granted, await SucceedAsync(Services, topUp, paymentIntent));
        return wallet;
    }

    private async Task<PurchaseReversalResult> RefundAsync(string paymentIntent, long cents)
    {
        await using var scope = Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ICreditPurchaseService>().RecordRefundAsync(paymentIntent, cents);
    }

    private async Task<PurchaseReversalResult> DisputeAsync(string paymentIntent, PaymentDisputeState state)
    {
        await using var scope = Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ICreditPurchaseService>()
            .RecordDisputeAsync(paymentIntent, "dp_" + paymentIntent, PackPrice, state);
    }

    private async Task<CreditPurchase> PurchaseAsync(string paymentIntent)
    {
        await using var scope = Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<CreditsDbContext>().Purchases.AsNoTracking()
            .SingleAsync(p => p.ProviderPaymentId == paymentIntent);
    }

    private static string NewPaymentIntent() => "pi_" + Guid.NewGuid().ToString("N");

    [Fact]
    public async Task Succeeded_RecordsACompletedPurchaseOfThePackWithItsGrant()
    {
        var pi = NewPaymentIntent();
        var wallet = await PaidAsync(pi);

        var purchase = await PurchaseAsync(pi);
        Assert.Equal((wallet, "pro", PackCredits, PackPrice, "usd", PurchaseStatus.Completed, "stripe"),
            (purchase.UserId, purchase.PackageId, purchase.Credits, purchase.AmountCents, purchase.Currency, purchase.Status, purchase.Provider));
        await using var scope = Services.CreateAsyncScope();
        var grant = await scope.ServiceProvider.GetRequiredService<CreditsDbContext>().Transactions.AsNoTracking().SingleAsync(t => t.Id == purchase.TransactionId);
        Assert.Equal((wallet, PackCredits), (grant.UserId, grant.Amount));
    }

    [Fact]
    public async Task Succeeded_DeliveredAgain_RecordsOnePurchase()
    {
        var (_, topUp) = await CrossedAsync(Services);
        var pi = NewPaymentIntent();

        await SucceedAsync(Services, topUp, pi);
        await SucceedAsync(Services, topUp, pi);

        await PurchaseAsync(pi); // Single
    }

    [Fact]
    public async Task Refund_OfAPaidTopUp_RemovesItsCredits()
    {
        var pi = NewPaymentIntent();
        var wallet = await PaidAsync(pi);

        var refund = await RefundAsync(pi, PackPrice);

        Assert.Equal((true, PackCredits, (long?)9), (refund.Found, refund.CreditsRemoved, refund.Balance));
        Assert.Equal(PurchaseStatus.Refunded, (await PurchaseAsync(pi)).Status);
        var ledger = await database.ReadLedgerAsync(wallet, Services);
        Assert.Equal((9, 9), (ledger.Balance, ledger.LedgerSum));
    }

    [Fact]
    public async Task Refund_PartOfAPaidTopUp_RemovesItsShare()
    {
        var pi = NewPaymentIntent();
        var wallet = await PaidAsync(pi);

        var refund = await RefundAsync(pi, 1500); // 1500 of 2999 cents: 100 of 200 credits, rounded half up

        Assert.Equal(100, refund.CreditsRemoved);
        Assert.Equal(109, (await database.ReadLedgerAsync(wallet, Services)).Balance);
    }

    [Fact]
    public async Task Refund_DeliveredTwice_RemovesOnce()
    {
        var pi = NewPaymentIntent();
        var wallet = await PaidAsync(pi);

        await RefundAsync(pi, PackPrice);
        var again = await RefundAsync(pi, PackPrice);

        Assert.Equal(0, again.CreditsRemoved);
        Assert.Equal(9, (await database.ReadLedgerAsync(wallet, Services)).Balance);
    }

    [Fact]
    public async Task Refund_TwentyConcurrentDeliveries_RemoveTheCreditsOnce()
    {
        var pi = NewPaymentIntent();
        var wallet = await PaidAsync(pi);

        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => RefundAsync(pi, PackPrice))));

        Assert.Equal(PackCredits, results.Sum(r => r.CreditsRemoved));
        var ledger = await database.ReadLedgerAsync(wallet, Services);
        Assert.Equal((9, 9), (ledger.Balance, ledger.LedgerSum));
    }

    [Fact]
    public async Task Refund_AfterTheTopUpsCreditsWereSpent_RecordsTheShortfall()
    {
        var pi = NewPaymentIntent();
        var wallet = await PaidAsync(pi);
        await using (var scope = Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<ICreditService>().AdjustCreditsAsync(wallet, -150, "spent elsewhere", "admin");
        }

        var refund = await RefundAsync(pi, PackPrice);

        Assert.Equal((59L, 141L, (long?)0), (refund.CreditsRemoved, refund.Shortfall, refund.Balance));
        Assert.Equal(141, (await PurchaseAsync(pi)).ClawbackShortfall);
    }

    [Fact]
    public async Task Refund_RaisesPurchaseRefundedForTheWallet()
    {
        var pi = NewPaymentIntent();
        var wallet = await PaidAsync(pi);

        await RefundAsync(pi, PackPrice);

        var raised = Assert.Single(await Outbox.EventsAsync<PurchaseRefunded>(Services, wallet));
        Assert.Equal((PackPrice, PackCredits), (raised.RefundedAmountCents, raised.CreditsRemoved));
    }

    [Fact]
    public async Task Dispute_LostThenWon_RemovesTheCreditsThenRestoresThem()
    {
        var pi = NewPaymentIntent();
        var wallet = await PaidAsync(pi);

        Assert.Equal(PackCredits, (await DisputeAsync(pi, PaymentDisputeState.Lost)).CreditsRemoved);
        Assert.Equal(9, (await database.ReadLedgerAsync(wallet, Services)).Balance);

        Assert.Equal(PackCredits, (await DisputeAsync(pi, PaymentDisputeState.Won)).CreditsRestored);
        Assert.Equal(9 + PackCredits, (await database.ReadLedgerAsync(wallet, Services)).Balance);
    }
}

public sealed class SqliteTopUpReversalTests(SqliteCreditsDatabase database) : TopUpReversalTests<SqliteCreditsDatabase>(database);

public sealed class PostgresTopUpReversalTests(PostgresCreditsDatabase database) : TopUpReversalTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbTopUpReversalTests(MariaDbCreditsDatabase database) : TopUpReversalTests<MariaDbCreditsDatabase>(database);
