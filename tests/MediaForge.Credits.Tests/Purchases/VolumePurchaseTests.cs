using MediaForge.Credits.Entities;
using MediaForge.Credits.Storage;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MediaForge.Credits.Tests.Purchases;

/// <summary>
/// Volume purchases on the database: the pending row keeps the server's price of N packs or a custom amount, and
/// fulfilment grants those credits only for a payment of exactly that amount whose metadata names those credits and
/// that quantity, once however often and however concurrently it is delivered.
/// </summary>
public abstract class VolumePurchaseTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private static string NewUser() => "user_" + Guid.NewGuid().ToString("N");

    private Task<long> BalanceAsync(string user) => database.WithCreditsAsync(async c => (await c.GetBalanceAsync(user)).Balance);

    private async Task<CreditPurchase> RowAsync(Guid purchaseId)
    {
        await using var scope = database.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<CreditsDbContext>().Purchases.AsNoTracking().SingleAsync(p => p.Id == purchaseId);
    }

    /// <summary>A pending volume purchase with its checkout session.</summary>
    private async Task<(string User, CreditPurchaseEntry Purchase, string Session)> StartAsync(string package, int quantity, long? credits = null)
    {
        var user = NewUser();
        var session = "cs_test_" + Guid.NewGuid().ToString("N");
        var purchase = await database.WithPurchasesAsync(p => p.StartVolumePurchaseAsync(user, package, quantity, credits, "stripe"));
        await database.WithPurchasesAsync(async p => { await p.AttachSessionAsync(purchase.Id, session); return true; });
        return (user, purchase, session);
    }

    [Fact]
    public async Task StartVolumePurchase_TwentyFiveProPacks_RecordsTheServersTenPercentPrice()
    {
        var (_, purchase, _) = await StartAsync("pro", 25);

        var row = await RowAsync(purchase.Id);
        Assert.Equal(((int?)25, 5000L, 67478L, PurchaseStatus.Pending), (row.Quantity, row.Credits, row.AmountCents, row.Status));
    }

    [Fact]
    public async Task StartVolumePurchase_CustomAmount_RecordsNoQuantityAndThePricePerCredit()
    {
        var (_, purchase, _) = await StartAsync("pro", 1, 4999);

        var row = await RowAsync(purchase.Id);
        Assert.Equal(((int?)null, 4999L, 71212L), (row.Quantity, row.Credits, row.AmountCents));
    }

    [Fact]
    public async Task StartVolumePurchase_OnePackWithoutCredits_IsAnOrdinaryPurchase()
    {
        var (_, purchase, _) = await StartAsync("pro", 1);

        var row = await RowAsync(purchase.Id);
        Assert.Equal(((int?)1, 200L, 2999L), (row.Quantity, row.Credits, row.AmountCents));
    }

    [Fact]
    public async Task QuoteAsync_TheCatalogsPrice_IsThePriceThePurchaseRecords()
    {
        var quote = await WithCatalogAsync(c => c.QuoteAsync("PRO", 5));
        var (_, purchase, _) = await StartAsync("pro", 5);

        Assert.Equal((quote.Credits, quote.AmountCents), (purchase.Credits, purchase.AmountCents));
    }

    [Fact]
    public async Task CompletePurchase_PaymentOfTheServersPrice_GrantsTheVolumesCredits()
    {
        var (user, _, session) = await StartAsync("pro", 25);

        var result = await database.WithPurchasesAsync(p => p.CompletePurchaseAsync(session, 67478, "usd", "pro", "pi_" + session, 5000, 25));

        Assert.Equal((PurchaseFulfilmentOutcome.Completed, 5000L), (result.Outcome, await BalanceAsync(user)));
    }

    [Theory]
    [InlineData(74975L, 5000L, 25, "amount 74975 paid, 67478 expected")] // the undiscounted price
    [InlineData(2999L, 5000L, 25, "amount 2999 paid, 67478 expected")] // one pack's price
    [InlineData(67478L, 50000L, 25, "credits 50000 paid for, 5000 expected")]
    [InlineData(67478L, 5000L, 250, "quantity 250 paid for, 25 expected")]
    [InlineData(67478L, null, null, "a volume purchase of 5000 credits, but the payment names no credits")]
    public async Task CompletePurchase_TamperedAmountCreditsOrQuantity_GrantsNothingAndSaysWhy(long amount, long? credits, int? quantity, string detail)
    {
        var (user, purchase, session) = await StartAsync("pro", 25);

        var result = await database.WithPurchasesAsync(p => p.CompletePurchaseAsync(session, amount, "usd", "pro", "pi_" + session, credits, quantity));

        Assert.Equal((PurchaseFulfilmentOutcome.Mismatch, detail, 0L), (result.Outcome, result.Detail, await BalanceAsync(user)));
        Assert.Equal(PurchaseStatus.Pending, (await RowAsync(purchase.Id)).Status);
    }

    [Fact]
    public async Task CompletePurchase_CustomAmountPaidAsPacks_GrantsNothing()
    {
        var (user, _, session) = await StartAsync("pro", 1, 5000);

        var result = await database.WithPurchasesAsync(p => p.CompletePurchaseAsync(session, 67478, "usd", "pro", null, 5000, 25));

        Assert.Equal((PurchaseFulfilmentOutcome.Mismatch, "quantity 25 paid for, a custom amount expected", 0L), (result.Outcome, result.Detail, await BalanceAsync(user)));
    }

    [Fact]
    public async Task CompletePurchase_TwentyConcurrentDeliveriesOfOneVolumeSession_GrantOnce()
    {
        var (user, _, session) = await StartAsync("enterprise", 20);

        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() =>
            database.WithPurchasesAsync(p => p.CompletePurchaseAsync(session, 169983, "usd", "enterprise", "pi_" + session, 20000, 20)))));

        Assert.Single(results, r => r.Outcome == PurchaseFulfilmentOutcome.Completed);
        Assert.All(results, r => Assert.Contains(r.Outcome, new[] { PurchaseFulfilmentOutcome.Completed, PurchaseFulfilmentOutcome.AlreadyCompleted }));
        Assert.Equal((20000L, 20000L, 1), await database.ReadLedgerAsync(user));
    }

    [Fact]
    public async Task CompletePurchase_VolumeSessionDeliveredAgain_GrantsNothingMore()
    {
        var (user, _, session) = await StartAsync("pro", 1, 1000);
        await database.WithPurchasesAsync(p => p.CompletePurchaseAsync(session, 14245, "usd", "pro", "pi_" + session, 1000));

        var again = await database.WithPurchasesAsync(p => p.CompletePurchaseAsync(session, 14245, "usd", "pro", "pi_" + session, 1000));

        Assert.Equal((PurchaseFulfilmentOutcome.AlreadyCompleted, 1000L), (again.Outcome, await BalanceAsync(user)));
    }

    [Fact]
    public async Task RecordRefund_HalfOfAVolumePayment_RemovesHalfItsCredits()
    {
        var (user, _, session) = await StartAsync("pro", 1, 1000);
        await database.WithPurchasesAsync(p => p.CompletePurchaseAsync(session, 14245, "usd", "pro", "pi_" + session, 1000));

        var refund = await database.WithPurchasesAsync(p => p.RecordRefundAsync("pi_" + session, 7123));

        Assert.Equal((500L, 500L), (refund.CreditsRemoved, await BalanceAsync(user)));
    }

    [Theory]
    [InlineData(0, null, "invalid_quantity")]
    [InlineData(-5, null, "invalid_quantity")]
    [InlineData(int.MaxValue, null, "invalid_quantity")]
    [InlineData(1, -1L, "invalid_credits")]
    [InlineData(1, long.MaxValue, "invalid_credits")]
    [InlineData(3, 600L, "quantity_and_credits")]
    public async Task StartVolumePurchase_HostileFigures_AreRefusedAndRecordNothing(int quantity, long? credits, string code)
    {
        var user = NewUser();

        var error = await Assert.ThrowsAsync<CreditVolumeException>(() => database.WithPurchasesAsync(p => p.StartVolumePurchaseAsync(user, "pro", quantity, credits, "stripe")));

        Assert.Equal(code, error.ErrorCode);
        await database.WithContextAsync(async db => Assert.False(await db.Purchases.AnyAsync(p => p.UserId == user)));
    }

    [Fact]
    public async Task StartVolumePurchase_FreePackage_IsUnknownAsAPaidPackage()
    {
        await Assert.ThrowsAsync<UnknownCreditPackageException>(() => database.WithPurchasesAsync(p => p.StartVolumePurchaseAsync(NewUser(), "starter", 2, null, "stripe")));
    }

    [Fact]
    public async Task StartVolumePurchase_AsAGift_FulfilsIntoAGiftOfTheVolumesCredits()
    {
        var services = database.BuildServices(database.ConnectionString, o => o.Gifts.Enabled = true);
        var user = NewUser();
        var session = "cs_test_" + Guid.NewGuid().ToString("N");
        var purchase = await database.WithPurchasesAsync(p => p.StartVolumePurchaseAsync(user, "pro", 5, null, "stripe", isGift: true), services);
        await database.WithPurchasesAsync(async p => { await p.AttachSessionAsync(purchase.Id, session); return true; }, services);

        var result = await database.WithPurchasesAsync(p => p.CompletePurchaseAsync(session, 14245, "usd", "pro", null, 1000, 5), services);

        await using var scope = services.CreateAsyncScope();
        var gift = await scope.ServiceProvider.GetRequiredService<CreditsDbContext>().Set<CreditGiftRow>().AsNoTracking().SingleAsync(g => g.Id == result.GiftId);
        var balance = await database.WithCreditsAsync(c => c.GetBalanceAsync(user), services);
        Assert.Equal((1000L, 1000L, 0L), (gift.Amount, balance.Balance, balance.Available));
    }

    [Fact]
    public async Task GetPackageTiers_FreshCatalogue_HasTheDefaultTiersOfItsPaidPacks()
    {
        var tiers = await WithCatalogAsync(c => c.GetPackageTiersAsync());

        Assert.Equal([("enterprise", 5000L, 1000), ("enterprise", 20000L, 1500), ("pro", 1000L, 500), ("pro", 5000L, 1000)],
            tiers.Select(t => (t.PackageId, t.MinCredits, t.DiscountBasisPoints)));
    }

    private async Task<T> WithCatalogAsync<T>(Func<ICreditCatalog, Task<T>> action)
    {
        await using var scope = database.Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<ICreditCatalog>());
    }
}

public sealed class SqliteVolumePurchaseTests(SqliteCreditsDatabase database) : VolumePurchaseTests<SqliteCreditsDatabase>(database);

public sealed class PostgresVolumePurchaseTests(PostgresCreditsDatabase database) : VolumePurchaseTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbVolumePurchaseTests(MariaDbCreditsDatabase database) : VolumePurchaseTests<MariaDbCreditsDatabase>(database);
