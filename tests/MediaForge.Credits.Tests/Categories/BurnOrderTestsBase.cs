using MediaForge.Credits.Storage;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace MediaForge.Credits.Tests.Categories;

/// <summary>
/// What the burn-order tests share: a fake clock, services with a host category <c>trial</c> (priority 15) and an
/// account holding one lot per category: allowance 10 expiring in 20 days, promotional 10 expiring in 10 days, the host's
/// trial 10 that never expires, and 10 paid credits without a lot.
/// </summary>
public abstract class BurnOrderTestsBase<TDatabase>(TDatabase database)
    where TDatabase : CreditsDatabase
{
    protected static readonly DateTimeOffset Start = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);

    protected static readonly CreditCategory Trial = CreditCategory.From("trial");

    private ServiceProvider? services;

    protected TDatabase Database => database;

    protected FakeTimeProvider Clock { get; } = new(Start);

    protected ServiceProvider Services => services ??= database.BuildServices(database.ConnectionString, o =>
    {
        o.CategoryPriorities[Trial.Name] = 15;
        Configure(o);
    }, time: Clock);

    protected static string NewUser() => "user_" + Guid.NewGuid().ToString("N");

    /// <summary>More options of a derived test class.</summary>
    protected virtual void Configure(CreditsOptions options)
    {
    }

    protected Task<T> Credits<T>(Func<ICreditService, Task<T>> action, IServiceProvider? on = null) => database.WithCreditsAsync(action, on ?? Services);

    protected async Task<T> With<TService, T>(Func<TService, Task<T>> action, IServiceProvider? on = null)
        where TService : notnull
    {
        await using var scope = (on ?? Services).CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<TService>());
    }

    /// <summary>An account with one lot of each category (the rest paid): see the class summary.</summary>
    protected async Task<string> AccountOfEveryCategoryAsync(string? user = null, IServiceProvider? on = null)
    {
        user ??= NewUser();
        await Credits(c => c.AddCreditsAsync(user, 10, CreditTransactionType.Purchase, "pack"), on);
        await Credits(c => c.AddCreditsAsync(user, 10, CreditTransactionType.Bonus, "trial", category: Trial), on);
        await Credits(c => c.AddExpiringCreditsAsync(user, 10, CreditTransactionType.Bonus, "promo", Start.AddDays(10)), on);
        await Credits(c => c.AddExpiringCreditsAsync(user, 10, CreditTransactionType.Bonus, "plan", Start.AddDays(20), category: CreditCategory.Allowance), on);
        return user;
    }

    /// <summary>Each category's remaining credits in the account's lots, and the credits without a lot (as <c>rest</c>).</summary>
    protected async Task<Dictionary<string, long>> RemainingAsync(string user, IServiceProvider? on = null)
    {
        await using var scope = (on ?? Services).CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CreditsDbContext>();
        var lots = await db.Grants.AsNoTracking().Where(g => g.UserId == user).Select(g => new { g.Category, g.Remaining }).ToListAsync();
        var balance = await db.Accounts.AsNoTracking().Where(a => a.UserId == user).Select(a => a.Balance).SingleAsync();
        var remaining = lots.GroupBy(l => l.Category).ToDictionary(g => g.Key, g => g.Sum(l => l.Remaining), StringComparer.Ordinal);
        remaining["rest"] = balance - lots.Sum(l => l.Remaining);
        return remaining;
    }

    /// <summary>The user buys the Pro pack (200 paid credits, 2999 cents); returns the payment id.</summary>
    protected async Task<string> BuyProAsync(string user)
    {
        var session = "cs_test_" + Guid.NewGuid().ToString("N");
        var payment = "pi_test_" + Guid.NewGuid().ToString("N");
        var purchase = await With<ICreditPurchaseService, CreditPurchaseEntry>(p => p.StartPurchaseAsync(user, "pro", "stripe"));
        await With<ICreditPurchaseService, bool>(async p => { await p.AttachSessionAsync(purchase.Id, session); return true; });
        await With<ICreditPurchaseService, PurchaseFulfilmentResult>(p => p.CompletePurchaseAsync(session, 2999, "usd", "pro", payment));
        return payment;
    }

    protected static Dictionary<string, long> Split(long allowance, long trial, long promotional, long paid) =>
        new(StringComparer.Ordinal) { ["allowance"] = allowance, ["trial"] = trial, ["promotional"] = promotional, ["rest"] = paid };
}
