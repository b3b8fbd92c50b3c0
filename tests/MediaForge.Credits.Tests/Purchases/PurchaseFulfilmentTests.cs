using MediaForge.Credits.Entities;
using MediaForge.Credits.Storage;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MediaForge.Credits.Tests.Purchases;

/// <summary>
/// The paths of a paid purchase other than the happy one: an unknown session, a payment that does not match, a
/// failed or expired checkout, a success page opened again after a refund, a pack bought twice.
/// </summary>
public abstract class PurchaseFulfilmentTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private async Task<T> Purchases<T>(Func<ICreditPurchaseService, Task<T>> action)
    {
        await using var scope = database.Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<ICreditPurchaseService>());
    }

    private async Task<CreditPurchase> RowAsync(Guid purchaseId)
    {
        await using var scope = database.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<CreditsDbContext>().Purchases.AsNoTracking().SingleAsync(p => p.Id == purchaseId);
    }

    private Task<long> BalanceAsync(string user) => database.WithCreditsAsync(async c => (await c.GetBalanceAsync(user)).Balance);

    /// <summary>A pending purchase of the Pro pack (200 credits, 2999 cents) with its checkout session.</summary>
    private async Task<(string User, Guid Purchase, string Session)> StartProAsync(string? user = null)
    {
        user ??= "user_" + Guid.NewGuid().ToString("N");
        var session = "cs_test_" + Guid.NewGuid().ToString("N");
        var purchase = await Purchases(p => p.StartPurchaseAsync(user, "pro", "stripe"));
        await Purchases(async p => { await p.AttachSessionAsync(purchase.Id, session); return true; });
        return (user, purchase.Id, session);
    }

    [Fact]
    public async Task CompletePurchase_UnknownSession_IsNotFound()
    {
        var result = await Purchases(p => p.CompletePurchaseAsync("cs_test_unknown", 2999, "usd"));

        Assert.Equal((PurchaseFulfilmentOutcome.NotFound, null), (result.Outcome, result.Purchase));
    }

    [Fact]
    public async Task CompletePurchase_OnePack_DescribesTheGrantAsThatPacksPurchase()
    {
        var (_, _, session) = await StartProAsync();

        var result = await Purchases(p => p.CompletePurchaseAsync(session, 2999, "usd", "pro"));

        await using var scope = database.Services.CreateAsyncScope();
        var row = await scope.ServiceProvider.GetRequiredService<CreditsDbContext>().Transactions.AsNoTracking().SingleAsync(t => t.Id == result.TransactionId);
        Assert.Equal("pro pack purchase", row.Description);
    }

    [Theory]
    [InlineData(1000, "usd", "pro", "amount 1000 paid, 2999 expected")]
    [InlineData(2999, "eur", "pro", "currency 'eur' paid, 'usd' expected")]
    [InlineData(2999, "USD", "starter", "package 'starter' paid, 'pro' expected")]
    public async Task CompletePurchase_PaymentNotMatchingThePurchase_GrantsNothingAndSaysWhy(long amount, string currency, string package, string detail)
    {
        var (user, _, session) = await StartProAsync();

        var result = await Purchases(p => p.CompletePurchaseAsync(session, amount, currency, package));

        Assert.Equal((PurchaseFulfilmentOutcome.Mismatch, detail), (result.Outcome, result.Detail));
        Assert.Equal(0, await BalanceAsync(user));
    }

    [Fact]
    public async Task CompletePurchase_SecondPurchaseOfARepeatablePack_GrantsAgain()
    {
        var (user, _, first) = await StartProAsync();
        await Purchases(p => p.CompletePurchaseAsync(first, 2999, "usd", "pro"));
        var (_, _, second) = await StartProAsync(user);

        var result = await Purchases(p => p.CompletePurchaseAsync(second, 2999, "usd", "pro"));

        Assert.Equal((PurchaseFulfilmentOutcome.Completed, 400L), (result.Outcome, await BalanceAsync(user)));
    }

    [Fact]
    public async Task CompletePurchase_AgainAfterAFullRefund_ReportsTheRefundedPurchase()
    {
        var (_, _, session) = await StartProAsync();
        await Purchases(p => p.CompletePurchaseAsync(session, 2999, "usd", "pro", "pi_" + session));
        await Purchases(p => p.RecordRefundAsync("pi_" + session, 2999));

        var again = await Purchases(p => p.CompletePurchaseAsync(session, 2999, "usd", "pro", "pi_" + session));

        Assert.Equal((PurchaseFulfilmentOutcome.AlreadyCompleted, PurchaseStatus.Refunded), (again.Outcome, again.Purchase!.Status));
    }

    [Fact]
    public async Task FailPurchase_PendingPurchase_MarksItFailedWithTheReason()
    {
        var (_, purchase, _) = await StartProAsync();

        var changed = await Purchases(p => p.FailPurchaseAsync(purchase, "card_declined", "pi_failed"));

        var row = await RowAsync(purchase);
        Assert.Equal((true, PurchaseStatus.Failed, "card_declined", "pi_failed"), (changed, row.Status, row.FailureReason, row.ProviderPaymentId));
    }

    [Fact]
    public async Task FailPurchase_ReasonLongerThan500Characters_StoresItsFirst500()
    {
        var (_, purchase, _) = await StartProAsync();
        var reason = new string('r', 500) + "-cut";

        await Purchases(p => p.FailPurchaseAsync(purchase, reason));

        Assert.Equal(new string('r', 500), (await RowAsync(purchase)).FailureReason);
    }

    [Fact]
    public async Task FailPurchase_CompletedPurchase_ReturnsFalseAndStaysCompleted()
    {
        var (_, purchase, session) = await StartProAsync();
        await Purchases(p => p.CompletePurchaseAsync(session, 2999, "usd"));

        var changed = await Purchases(p => p.FailPurchaseAsync(purchase, "late failure"));

        Assert.Equal((false, PurchaseStatus.Completed), (changed, (await RowAsync(purchase)).Status));
    }

    [Fact]
    public async Task ExpirePurchase_PendingSession_MarksItExpired()
    {
        var (_, purchase, session) = await StartProAsync();

        var changed = await Purchases(p => p.ExpirePurchaseAsync(session));

        Assert.Equal((true, PurchaseStatus.Expired), (changed, (await RowAsync(purchase)).Status));
    }

    [Fact]
    public async Task ExpirePurchase_CompletedSession_ReturnsFalseAndStaysCompleted()
    {
        var (_, purchase, session) = await StartProAsync();
        await Purchases(p => p.CompletePurchaseAsync(session, 2999, "usd"));

        var changed = await Purchases(p => p.ExpirePurchaseAsync(session));

        Assert.Equal((false, PurchaseStatus.Completed), (changed, (await RowAsync(purchase)).Status));
    }

    [Fact]
    public async Task FindBySession_UnknownSession_IsNull() =>
        Assert.Null(await Purchases(p => p.FindBySessionAsync("cs_test_nobody")));

    [Fact]
    public async Task FindBySession_AttachedSession_ReturnsThePendingPurchase()
    {
        var (user, purchase, session) = await StartProAsync();

        var found = await Purchases(p => p.FindBySessionAsync(session));

        Assert.Equal((purchase, user, PurchaseStatus.Pending), (found!.Id, found.UserId, found.Status));
    }
}

public sealed class SqlitePurchaseFulfilmentTests(SqliteCreditsDatabase database) : PurchaseFulfilmentTests<SqliteCreditsDatabase>(database);

public sealed class PostgresPurchaseFulfilmentTests(PostgresCreditsDatabase database) : PurchaseFulfilmentTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbPurchaseFulfilmentTests(MariaDbCreditsDatabase database) : PurchaseFulfilmentTests<MariaDbCreditsDatabase>(database);
