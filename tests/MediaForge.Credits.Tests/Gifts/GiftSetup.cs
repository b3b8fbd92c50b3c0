using MediaForge.Credits.Entities;
using MediaForge.Credits.Storage;
using MediaForge.Credits.Tests.Infrastructure;
using MediaForge.Credits.Tests.Purchases;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MediaForge.Credits.Tests.Gifts;

/// <summary>
/// Gifts on one test database: services with gifts on (the limits given, otherwise the defaults), funded users, the
/// gift service of a new scope per call, and reads straight from the tables (ledger, held credits, the gift row).
/// </summary>
public sealed class GiftSetup(CreditsDatabase database, Action<CreditsOptions>? configure = null, TimeProvider? time = null,
    Action<Microsoft.EntityFrameworkCore.DbContextOptionsBuilder>? configureContext = null, Action<IServiceCollection>? configureServices = null)
{
    public ServiceProvider Services { get; } = database.BuildServices(database.ConnectionString, o =>
    {
        o.Gifts.Enabled = true;
        configure?.Invoke(o);
    }, time, configureContext, configureServices);

    public static string NewUser(string name = "user") => $"gift_{name}_{Guid.NewGuid():N}";

    public async Task<T> With<T, TService>(Func<TService, Task<T>> action)
        where TService : notnull
    {
        await using var scope = Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<TService>());
    }

    public Task<T> Gifts<T>(Func<ICreditGiftService, Task<T>> action) => With(action);

    public Task<T> Credits<T>(Func<ICreditService, Task<T>> action) => With(action);

    /// <summary>A new user with <paramref name="credits"/> credits (expiring at <paramref name="expiresAt"/> when given).</summary>
    public async Task<string> FundedAsync(long credits, DateTimeOffset? expiresAt = null, string name = "sender")
    {
        var user = NewUser(name);
        await Credits(c => expiresAt is { } at
            ? c.AddExpiringCreditsAsync(user, credits, CreditTransactionType.Purchase, "pack", at)
            : c.AddCreditsAsync(user, credits, CreditTransactionType.Purchase, "pack"));
        return user;
    }

    /// <summary>A gift from a funded sender; asserts it was made.</summary>
    public async Task<(string Sender, CreditGiftResult Gift)> GiftAsync(long credits, long amount, string? message = null)
    {
        var sender = await FundedAsync(credits);
        var gift = await Gifts(g => g.CreateGiftAsync(sender, amount, message: message));
        Assert.True(gift.Success, $"create refused: {gift.Error}");
        return (sender, gift);
    }

    /// <summary>Starts a paid Pro purchase (200 credits, 2999 cents), as a gift or not; returns its session and payment ids.</summary>
    public Task<(string Session, string Payment)> StartProAsync(string userId, bool gift) => StartAsync(userId, "pro", gift);

    private async Task<(string Session, string Payment)> StartAsync(string userId, string package, bool gift)
    {
        var session = "cs_test_" + Guid.NewGuid().ToString("N");
        var purchase = await With<CreditPurchaseEntry, ICreditPurchaseService>(p => gift ? p.StartGiftPurchaseAsync(userId, package, "stripe") : p.StartPurchaseAsync(userId, package, "stripe"));
        await With<bool, ICreditPurchaseService>(async p => { await p.AttachSessionAsync(purchase.Id, session); return true; });
        return (session, "pi_test_" + Guid.NewGuid().ToString("N"));
    }

    public Task<PurchaseFulfilmentResult> CompleteAsync((string Session, string Payment) purchase) =>
        With<PurchaseFulfilmentResult, ICreditPurchaseService>(p => p.CompletePurchaseAsync(purchase.Session, 2999, "usd", "pro", purchase.Payment));

    /// <summary>A completed Pro purchase of <paramref name="userId"/>.</summary>
    public async Task<(string Session, string Payment, PurchaseFulfilmentResult Result)> BuyProAsync(string userId, bool gift)
    {
        var purchase = await StartProAsync(userId, gift);
        var result = await CompleteAsync(purchase);
        Assert.Equal(PurchaseFulfilmentOutcome.Completed, result.Outcome);
        return (purchase.Session, purchase.Payment, result);
    }

    /// <summary>A completed Pro purchase bought as a gift, with a code the buyer got by reissuing it.</summary>
    public async Task<(string Buyer, string Payment, Guid GiftId, string Code)> BoughtGiftAsync()
    {
        var buyer = NewUser("buyer");
        var (_, payment, result) = await BuyProAsync(buyer, gift: true);
        var code = await Gifts(g => g.ReissueCodeAsync(result.GiftId!.Value, buyer));
        return (buyer, payment, result.GiftId!.Value, code.Code!);
    }

    /// <summary>A new paid pack of 200 credits for 2999 cents whose credits live <paramref name="lifetimeDays"/> days.</summary>
    public Task<string> PackageWithLifetimeAsync(int lifetimeDays) => database.PackageWithLifetimeAsync(lifetimeDays);

    /// <summary>A completed purchase of a <see cref="PackageWithLifetimeAsync"/> pack, as a gift or not; returns its payment id.</summary>
    public async Task<(string Payment, PurchaseFulfilmentResult Result)> BuyAsync(string userId, string package, bool gift)
    {
        var (session, payment) = await StartAsync(userId, package, gift);
        var result = await With<PurchaseFulfilmentResult, ICreditPurchaseService>(p => p.CompletePurchaseAsync(session, 2999, "usd", package, payment));
        Assert.Equal(PurchaseFulfilmentOutcome.Completed, result.Outcome);
        return (payment, result);
    }

    /// <summary>A <see cref="PackageWithLifetimeAsync"/> pack bought as a gift by <paramref name="buyer"/>, with a code the buyer got by reissuing it.</summary>
    public async Task<(string Payment, string Code)> BoughtGiftWithLifetimeAsync(string buyer, int lifetimeDays)
    {
        var (payment, bought) = await BuyAsync(buyer, await PackageWithLifetimeAsync(lifetimeDays), gift: true);
        return (payment, (await Gifts(g => g.ReissueCodeAsync(bought.GiftId!.Value, buyer))).Code!);
    }

    public Task<PurchaseReversalResult> RefundAsync(string payment, long cents = 2999) =>
        With<PurchaseReversalResult, ICreditPurchaseService>(p => p.RecordRefundAsync(payment, cents));

    /// <summary>Balance, held credits and the ledger's sum of a user, straight from the tables.</summary>
    public async Task<(long Balance, long Reserved, long LedgerSum)> AccountAsync(string userId)
    {
        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CreditsDbContext>();
        var account = await db.Accounts.AsNoTracking().Where(a => a.UserId == userId).Select(a => new { a.Balance, a.Reserved }).FirstOrDefaultAsync();
        var sum = (await db.Transactions.Where(t => t.UserId == userId).Select(t => t.Amount).ToListAsync()).Sum();
        return (account?.Balance ?? 0, account?.Reserved ?? 0, sum);
    }

    internal async Task<CreditGiftRow> RowAsync(Guid giftId)
    {
        await using var scope = Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<CreditsDbContext>().Set<CreditGiftRow>().AsNoTracking().SingleAsync(g => g.Id == giftId);
    }

    public async Task<List<CreditTransaction>> RowsAsync(string userId)
    {
        await using var scope = Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<CreditsDbContext>().Transactions.AsNoTracking()
            .Where(t => t.UserId == userId).OrderBy(t => t.CreatedAt).ThenBy(t => t.Amount).ToListAsync();
    }

    public async Task<List<CreditGrant>> LotsAsync(string userId)
    {
        await using var scope = Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<CreditsDbContext>().Grants.AsNoTracking()
            .Where(g => g.UserId == userId && g.Remaining > 0).OrderBy(g => g.ExpiresAt).ToListAsync();
    }
}
