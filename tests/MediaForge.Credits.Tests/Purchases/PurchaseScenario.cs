using MediaForge.Credits.Entities;
using MediaForge.Credits.Storage;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace MediaForge.Credits.Tests.Purchases;

/// <summary>Purchases made the way a host makes them: start, attach the checkout session, complete with the payment id.</summary>
internal static class PurchaseScenario
{
    public static async Task<T> WithPurchasesAsync<T>(this CreditsDatabase database, Func<ICreditPurchaseService, Task<T>> action, IServiceProvider? services = null)
    {
        await using var scope = (services ?? database.Services).CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<ICreditPurchaseService>());
    }

    /// <summary>A new user who bought <paramref name="package"/> (the Pro pack: 200 credits, 2999 cents) with payment <c>pi_...</c>.</summary>
    public static async Task<(string User, string Payment)> BuyAsync(this CreditsDatabase database, string package = "pro", long amountCents = 2999,
        IServiceProvider? services = null, string? user = null)
    {
        var (buyer, _, session) = await database.StartAsync(package, services, user);
        var payment = "pi_test_" + Guid.NewGuid().ToString("N");
        await database.WithPurchasesAsync(p => p.CompletePurchaseAsync(session, amountCents, "usd", package, payment), services);
        return (buyer, payment);
    }

    /// <summary>A purchase of <paramref name="package"/> started by a new user (or <paramref name="user"/>) with a checkout session attached, not paid yet.</summary>
    public static async Task<(string User, Guid Id, string Session)> StartAsync(this CreditsDatabase database, string package = "pro",
        IServiceProvider? services = null, string? user = null)
    {
        user ??= "user_" + Guid.NewGuid().ToString("N");
        var session = "cs_test_" + Guid.NewGuid().ToString("N");
        var purchase = await database.WithPurchasesAsync(p => p.StartPurchaseAsync(user, package, "stripe"), services);
        await database.WithPurchasesAsync(async p => { await p.AttachSessionAsync(purchase.Id, session); return true; }, services);
        return (user, purchase.Id, session);
    }

    /// <summary>A package like Pro (200 credits, 2999 cents) whose credits expire <paramref name="lifetimeDays"/> days after the purchase.</summary>
    public static async Task<string> PackageWithLifetimeAsync(this CreditsDatabase database, int lifetimeDays)
    {
        var id = "lifetime-" + Guid.NewGuid().ToString("N")[..12];
        await using var scope = database.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CreditsDbContext>();
        db.Packages.Add(new CreditPackage
        {
            Id = id, Name = "Lifetime", Credits = 200, PriceCents = 2999, Currency = "usd", CreditLifetimeDays = lifetimeDays,
            CreatedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow,
        });
        await db.SaveChangesAsync();
        return id;
    }
}
