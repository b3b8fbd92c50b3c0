using System.Net.Http.Json;
using MediaForge.Credits.AspNetCore.Tests.Infrastructure;
using MediaForge.Credits.Entities;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MediaForge.Credits.AspNetCore.Tests.Subscriptions;

/// <summary>
/// Base of the subscription tests: a host with three plans (basic 100 a month, rollover capped at 50, 20 on trial;
/// premium 300, rollover capped at 50; lite 40, expiring), the fake Stripe API, and signed deliveries of Stripe's
/// subscription events. Period 1 started ten days ago; period 2 follows it.
/// </summary>
public abstract class SubscriptionAppTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>, IAsyncLifetime
    where TDatabase : CreditsDatabase
{
    protected const string Basic = "price_basic_monthly";
    protected const string Premium = "price_premium_monthly";
    protected const string Lite = "price_lite_monthly";

    protected static readonly DateTimeOffset P1Start = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.AddDays(-10).ToUnixTimeSeconds());
    protected static readonly DateTimeOffset P1End = P1Start.AddDays(30);
    protected static readonly DateTimeOffset P2End = P1End.AddDays(30);

    private long clock = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 1000;

    protected CreditsApp App { get; private set; } = null!;

    protected TDatabase Database => database;

    public static void AddPlans(CreditsOptions options)
    {
        options.DefaultPlans.Add(new CreditPlan { Id = "basic", Name = "Basic", StripePriceId = Basic, CreditsPerPeriod = 100, RolloverPolicy = CreditRolloverPolicy.Rollover, RolloverCap = 50, TrialCredits = 20, PriceCents = 1900 });
        options.DefaultPlans.Add(new CreditPlan { Id = "premium", Name = "Premium", StripePriceId = Premium, CreditsPerPeriod = 300, RolloverPolicy = CreditRolloverPolicy.Rollover, RolloverCap = 50, PriceCents = 4900, SortOrder = 1 });
        options.DefaultPlans.Add(new CreditPlan { Id = "lite", Name = "Lite", StripePriceId = Lite, CreditsPerPeriod = 40, RolloverPolicy = CreditRolloverPolicy.Expire, PriceCents = 900, SortOrder = 2 });
    }

    public virtual async Task InitializeAsync() => App = await StartAsync();

    public async Task DisposeAsync() => await App.DisposeAsync();

    protected Task<CreditsApp> StartAsync(Action<CreditsOptions>? configure = null) =>
        CreditsApp.StartAsync(database, database.ConnectionString, services => services.Configure<CreditsOptions>(o =>
        {
            AddPlans(o);
            configure?.Invoke(o);
        }));

    protected static string NewUser() => "user_" + Guid.NewGuid().ToString("N");

    protected static string NewSubscription() => "sub_test_" + Guid.NewGuid().ToString("N");

    /// <summary>The next event's <c>created</c>: later than every one before.</summary>
    protected long Next() => ++clock;

    protected string Paid(string sub, string? user, string price, DateTimeOffset start, DateTimeOffset end, string reason = "subscription_cycle",
        long amount = 1900, bool olderShape = false) =>
        SubscriptionPayloads.Invoice(sub, user, price, start, end, Next(), amount, reason, olderShape: olderShape);

    protected string Updated(string sub, string? user, string price, string status = "active", DateTimeOffset? start = null, DateTimeOffset? end = null,
        string type = "customer.subscription.updated", bool olderShape = false, DateTimeOffset? endedAt = null) =>
        SubscriptionPayloads.Subscription(type, sub, user, price, status, start ?? P1Start, end ?? P1End, Next(), olderShape: olderShape, endedAt: endedAt);

    protected async Task<HttpResponseMessage> SendAsync(string json, CreditsApp? app = null) =>
        await (app ?? App).Client().SendAsync(WebhookPayloads.StripeRequest(json));

    protected async Task<WebhookReceipt> ReceiptAsync(string json, CreditsApp? app = null)
    {
        var response = await SendAsync(json, app);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<WebhookReceipt>())!;
    }

    /// <summary>The user's allowance rows (without what rolled over): amount and key, oldest first.</summary>
    protected async Task<List<(long Amount, string Key)>> AllowanceRowsAsync(string user, CreditsApp? app = null) =>
        (await SubscriptionRowsAsync(user, app)).FindAll(r => !r.Key.Contains(":carry:", StringComparison.Ordinal));

    /// <summary>The user's rows of allowance carried into a later period: amount and key, oldest first.</summary>
    protected async Task<List<(long Amount, string Key)>> CarriedRowsAsync(string user, CreditsApp? app = null) =>
        (await SubscriptionRowsAsync(user, app)).FindAll(r => r.Key.Contains(":carry:", StringComparison.Ordinal));

    /// <summary>The user's expiration rows that a renewal's rollover wrote.</summary>
    protected Task<List<long>> RolledOverExpirationsAsync(string user, CreditsApp? app = null) =>
        (app ?? App).DbAsync(db => db.Transactions.Where(t => t.UserId == user && t.Type == CreditTransactionType.Expiration
            && t.Metadata!.Contains("\"endedBy\":\"rollover\"")).Select(t => t.Amount).ToListAsync());

    private Task<List<(long Amount, string Key)>> SubscriptionRowsAsync(string user, CreditsApp? app) =>
        (app ?? App).DbAsync(async db => (await db.Transactions.Where(t => t.UserId == user && t.Type == CreditTransactionType.Subscription)
            .OrderBy(t => t.CreatedAt).ThenBy(t => t.Id).Select(t => new { t.Amount, t.IdempotencyKey }).ToListAsync())
            .ConvertAll(t => (t.Amount, t.IdempotencyKey!)));

    /// <summary>What each period of the subscription was granted in all (by the period end in its keys).</summary>
    protected async Task<Dictionary<long, long>> GrantedPerPeriodAsync(string user, string sub, CreditsApp? app = null) =>
        (await AllowanceRowsAsync(user, app)).Where(r => r.Key.StartsWith($"mf:subscription:{sub}:", StringComparison.Ordinal))
            .GroupBy(r => long.Parse(r.Key.Split(':')[3], System.Globalization.CultureInfo.InvariantCulture))
            .ToDictionary(g => g.Key, g => g.Sum(r => r.Amount));

    protected Task<CreditSubscriptionStatus> StatusAsync(string sub) =>
        App.DbAsync(db => db.Set<CreditSubscriptionRow>().Where(s => s.Id == sub).Select(s => s.Status).SingleAsync());

    protected static async Task<(long Balance, long LedgerSum)> LedgerAsync(CreditsApp app, string user) =>
        (await app.BalanceAsync(user), await app.DbAsync(db => db.Transactions.Where(t => t.UserId == user).SumAsync(t => t.Amount)));

    protected static long Unix(DateTimeOffset at) => at.ToUnixTimeSeconds();
}
