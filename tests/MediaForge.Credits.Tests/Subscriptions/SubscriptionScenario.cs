using MediaForge.Credits.Entities;
using MediaForge.Credits.Storage;
using MediaForge.Credits.Subscriptions;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace MediaForge.Credits.Tests.Subscriptions;

/// <summary>
/// Subscriptions on the tests' databases, applied as the add-on's webhook applies them, on a clock standing at
/// 2026-03-10 12:00 UTC. Plans: <c>basic</c> (100 a period, trial 20, rolls over at most 50), <c>premium</c> (300,
/// trial 40, rolls over without a cap), <c>lapse</c> (100, expires), <c>retired</c> (not offered). Periods are the months.
/// </summary>
internal static class SubscriptionScenario
{
    public const string Basic = "price_sc_basic", Premium = "price_sc_premium", Lapse = "price_sc_lapse";

    public static readonly DateTime March = new(2026, 3, 1, 0, 0, 0, DateTimeKind.Utc), April = March.AddMonths(1), May = March.AddMonths(2);

    public static readonly DateTimeOffset Now = new(2026, 3, 10, 12, 0, 0, TimeSpan.Zero);

    public static string NewUser() => "sc_" + Guid.NewGuid().ToString("N");

    public static string NewSubscription() => "sub_" + Guid.NewGuid().ToString("N");

    /// <summary>Services with the scenario's plans and <paramref name="clock"/>.</summary>
    public static async Task<ServiceProvider> BuildAsync(CreditsDatabase database, FakeTimeProvider clock, Action<CreditsOptions>? configure = null)
    {
        var services = database.BuildServices(database.ConnectionString, o =>
        {
            o.DefaultPlans.Add(new CreditPlan { Id = "sc-premium", Name = "Premium", StripePriceId = Premium, CreditsPerPeriod = 300, TrialCredits = 40, RolloverPolicy = CreditRolloverPolicy.Rollover, SortOrder = 2 });
            o.DefaultPlans.Add(new CreditPlan { Id = "sc-basic", Name = "Basic", StripePriceId = Basic, CreditsPerPeriod = 100, TrialCredits = 20, RolloverPolicy = CreditRolloverPolicy.Rollover, RolloverCap = 50, SortOrder = 1 });
            o.DefaultPlans.Add(new CreditPlan { Id = "sc-lapse", Name = "Lapse", StripePriceId = Lapse, CreditsPerPeriod = 100, SortOrder = 1 });
            o.DefaultPlans.Add(new CreditPlan { Id = "sc-retired", Name = "Retired", StripePriceId = "price_sc_retired", CreditsPerPeriod = 10, IsActive = false });
            configure?.Invoke(o);
        }, clock);
        await services.InitializeCreditsAsync();
        return services;
    }

    /// <summary>An invoice of one line of <paramref name="price"/> for the month starting at <paramref name="from"/>.</summary>
    public static CreditSubscriptionInvoice Invoice(string subscription, string? user, long created, string price, DateTime from,
        string reason = "subscription_cycle", long amount = 1900) =>
        new(subscription, "cus_" + subscription, user, created, reason, [new CreditInvoiceLine(price, from, from.AddMonths(1), amount)]);

    /// <summary>A state of the subscription for the month starting at <paramref name="from"/>.</summary>
    public static CreditSubscriptionState State(string subscription, string? user, long created, string? price, CreditSubscriptionStatus status,
        DateTime? from, DateTime? endedAt = null) =>
        new(subscription, "cus_" + subscription, user, created, price, status, from, from?.AddMonths(1), endedAt);

    public static async Task<T> DoAsync<T>(IServiceProvider services, Func<CreditSubscriptions, Task<T>> action)
    {
        await using var scope = services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<CreditSubscriptions>());
    }

    public static Task<string> PayAsync(IServiceProvider services, CreditSubscriptionInvoice invoice) =>
        DoAsync(services, s => s.ApplyInvoicePaidAsync(invoice, default));

    public static Task<string> ApplyAsync(IServiceProvider services, CreditSubscriptionState state) =>
        DoAsync(services, s => s.ApplyStateAsync(state, default));

    /// <summary>The subscription's row, or null.</summary>
    public static Task<CreditSubscriptionRow?> RowAsync(IServiceProvider services, string subscription) =>
        ReadAsync(services, db => db.Set<CreditSubscriptionRow>().AsNoTracking().SingleOrDefaultAsync(s => s.Id == subscription));

    /// <summary>The user's lots with credits left: (remaining, expiry), soonest expiry first, then smallest.</summary>
    public static Task<List<(long Remaining, DateTime ExpiresAt)>> LotsAsync(IServiceProvider services, string user) =>
        ReadAsync(services, async db => (await db.Set<CreditGrant>().AsNoTracking().Where(g => g.UserId == user && g.Remaining > 0)
            .Select(g => new { g.Remaining, g.ExpiresAt }).ToListAsync()).Select(g => (g.Remaining, g.ExpiresAt)).OrderBy(g => g.ExpiresAt).ThenBy(g => g.Remaining).ToList());

    public static async Task<long> BalanceAsync(IServiceProvider services, string user) =>
        (await ReadAsync(services, db => db.Set<CreditAccount>().AsNoTracking().Where(a => a.UserId == user).Select(a => (long?)a.Balance).SingleOrDefaultAsync())) ?? 0;

    public static async Task<T> ReadAsync<T>(IServiceProvider services, Func<CreditsDbContext, Task<T>> read)
    {
        await using var scope = services.CreateAsyncScope();
        return await read(scope.ServiceProvider.GetRequiredService<CreditsDbContext>());
    }

    public static async Task SpendAsync(IServiceProvider services, string user, long credits)
    {
        await using var scope = services.CreateAsyncScope();
        var result = await scope.ServiceProvider.GetRequiredService<ICreditService>().AdjustCreditsAsync(user, -credits, "spent", "test");
        Assert.True(result.Success, result.Error.ToString());
    }
}
