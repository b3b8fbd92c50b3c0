using System.Net.Http.Json;
using MediaForge.Credits.AspNetCore.Stripe;
using MediaForge.Credits.AspNetCore.Tests.Infrastructure;
using MediaForge.Credits.Tests.Infrastructure;
using MediaForge.Credits.TopUps;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MediaForge.Credits.AspNetCore.Tests.TopUps;

/// <summary>
/// Base of the auto top-up tests over HTTP: a host with teams on, a charging worker that only runs when the test asks
/// (<see cref="ChargeAsync"/>), failed top-ups due again at once, the fake Stripe API and signed Stripe deliveries.
/// The pack is <c>pro</c> (200 credits, 2999 cents); image-generation/default costs 3.
/// </summary>
public abstract class AutoTopUpAppTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>, IAsyncLifetime
    where TDatabase : CreditsDatabase
{
    protected const long PackCredits = 200, PackPrice = 2999, Threshold = 10;

    protected CreditsApp App { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        App = await CreditsApp.StartAsync(database, database.ConnectionString, s => s.Configure<CreditsOptions>(o =>
        {
            o.Teams.Enabled = true;
            o.AutoTopUp.PollInterval = TimeSpan.FromHours(1);
            o.AutoTopUp.RetryDelay = TimeSpan.FromMilliseconds(1);
            o.AutoTopUp.SettingsCacheDuration = TimeSpan.Zero;
        }));
        // The tests charge (ChargeAsync). The hosted worker's first round, at start, could otherwise run late on a busy
        // machine and charge a test's top-up before the step the test is checking (seen in a clean run).
        await App.Services.GetRequiredService<StripeTopUpWorker>().StopAsync(default);
    }

    public async Task DisposeAsync() => await App.DisposeAsync();

    protected static string NewUser() => "user_" + Guid.NewGuid().ToString("N");

    protected Task<HttpResponseMessage> PutAsync(string user, object body) => App.Client(user).PutAsJsonAsync("/api/credits/auto-top-up", body);

    protected async Task<CreditAutoTopUpResponse> SettingsAsync(string user, string? teamId = null) =>
        (await App.Client(user).GetFromJsonAsync<CreditAutoTopUpResponse>("/api/credits/auto-top-up" + (teamId is null ? "" : "?teamId=" + teamId)))!;

    protected async Task<WebhookReceipt> ReceiptAsync(string json)
    {
        var response = await App.Client().SendAsync(WebhookPayloads.StripeRequest(json));
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<WebhookReceipt>())!;
    }

    /// <summary>
    /// A user with <paramref name="credits"/>, auto top-up saved over HTTP (threshold 10, pro, 5 a month) and the card
    /// a checkout kept, saved by its <c>payment_intent.succeeded</c>.
    /// </summary>
    protected async Task<string> EnabledUserAsync(long credits = 12, int maxPerMonth = 5)
    {
        var user = NewUser();
        await App.WithServiceAsync<object?, ICreditService>(async c => await c.AddCreditsAsync(user, credits, CreditTransactionType.Purchase, "pack"));
        (await PutAsync(user, new { enabled = true, threshold = Threshold, packageId = "pro", maxTopUpsPerMonth = maxPerMonth, maxAmountPerMonthCents = 100_000 }))
            .EnsureSuccessStatusCode();
        await ReceiptAsync(TopUpPayloads.Succeeded("pi_checkout_" + Guid.NewGuid().ToString("N"), PackPrice, "usd",
            new Dictionary<string, string> { ["user_id"] = user, [StripeTopUpEvents.SaveForWalletKey] = user }, "cus_" + user, "pm_" + user, "off_session"));
        return user;
    }

    protected Task<CreditDeductionResult> DeductAsync(string user) =>
        App.WithServiceAsync<CreditDeductionResult, ICreditService>(c => c.DeductCreditsAsync(user, "image-generation", "default"));

    /// <summary>One round of the charging worker.</summary>
    /// <summary>A user with auto top-up whose deduction crossed the threshold (12 → 9): the one pending top-up.</summary>
    private protected async Task<(string User, CreditTopUpRow TopUp)> CrossedAsync()
    {
        var user = await EnabledUserAsync();
        await DeductAsync(user); // 12 → 9
        return (user, Assert.Single(await TopUpsAsync(user)));
    }

    /// <summary><c>payment_intent.succeeded</c> of the top-up's attempt.</summary>
    private protected static string SucceededFor(CreditTopUpRow topUp, string paymentIntent, int attempt = 1, long amount = PackPrice, string? eventId = null) =>
        TopUpPayloads.Succeeded(paymentIntent, amount, "usd", TopUpPayloads.TopUp(topUp.Id, attempt, topUp.WalletId), eventId: eventId);

    protected Task<int> ChargeAsync() => App.Services.GetRequiredService<StripeTopUpWorker>().ChargeOnceAsync(default);

    private protected Task<List<CreditTopUpRow>> TopUpsAsync(string wallet) =>
        App.DbAsync(db => db.Set<CreditTopUpRow>().AsNoTracking().Where(t => t.WalletId == wallet).OrderBy(t => t.CreatedAt).ToListAsync());

    /// <summary>The payment intents the worker asked the fake Stripe for, for <paramref name="wallet"/>.</summary>
    protected List<(Dictionary<string, string> Form, string IdempotencyKey)> ChargesOf(string wallet) =>
        App.Stripe.PaymentIntentRequests.Where(r => r.Form.GetValueOrDefault("metadata[wallet_id]") == wallet).ToList();
}
