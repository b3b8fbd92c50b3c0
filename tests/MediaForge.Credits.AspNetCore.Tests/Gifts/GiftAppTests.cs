using System.Net.Http.Json;
using MediaForge.Credits.AspNetCore.Tests.Infrastructure;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace MediaForge.Credits.AspNetCore.Tests.Gifts;

/// <summary>
/// Base of the gift HTTP tests: the README's host with gifts on (largest gift 500, link path <c>/gift</c>, three
/// redemption attempts per hour), no sign-up package and the public address <c>https://app.example.com</c>.
/// </summary>
public abstract class GiftAppTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>, IAsyncLifetime
    where TDatabase : CreditsDatabase
{
    public const string PublicBase = "https://app.example.com";

    public const int RedeemAttempts = 3;

    protected CreditsApp App { get; private set; } = null!;

    protected TDatabase Database => database;

    protected static string NewUser() => "user_" + Guid.NewGuid().ToString("N");

    public async Task InitializeAsync() => App = await CreditsApp.StartAsync(database, database.ConnectionString, services =>
    {
        services.Configure<CreditsOptions>(o =>
        {
            o.Gifts.Enabled = true;
            o.Gifts.MaxGiftAmount = 500;
            o.Gifts.LinkPath = "/gift";
            o.Gifts.RedeemAttemptsPerWindow = RedeemAttempts;
        });
        services.Configure<CreditsHttpOptions>(o => o.PublicBaseUrl = PublicBase);
        services.Configure<CreditsClerkOptions>(o => o.SignUpPackageId = null);
    });

    public async Task DisposeAsync() => await App.DisposeAsync();

    /// <summary>A new user with <paramref name="credits"/> bonus credits.</summary>
    protected async Task<string> FundedUserAsync(long credits)
    {
        var user = NewUser();
        await App.WithServiceAsync<CreditTransactionResult, ICreditService>(c => c.AddCreditsAsync(user, credits, CreditTransactionType.Bonus, "seed"));
        return user;
    }

    protected Task<HttpResponseMessage> CreateAsync(string user, object body, string? idempotencyKey = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/credits/gifts") { Content = JsonContent.Create(body) };
        if (idempotencyKey is not null)
        {
            request.Headers.Add(CreditsIdempotencyKeyHeader.HeaderName, idempotencyKey);
        }

        return App.Client(user).SendAsync(request);
    }

    /// <summary>Creates a gift of <paramref name="amount"/> from <paramref name="sender"/> and returns the answer.</summary>
    protected async Task<CreditGiftCodeResponse> GiveAsync(string sender, long amount, string? message = null)
    {
        var response = await CreateAsync(sender, new { amount, message });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<CreditGiftCodeResponse>())!;
    }

    protected Task<HttpResponseMessage> RedeemAsync(string user, string? code) =>
        App.Client(user).PostAsJsonAsync("/api/credits/gifts/redeem", new { code });

    protected Task<CreditBalance> BalanceOfAsync(string user) => App.WithServiceAsync<CreditBalance, ICreditService>(c => c.GetBalanceAsync(user));

    /// <summary>Balance and spendable credits of a user.</summary>
    protected async Task<(long Balance, long Available)> CreditsOfAsync(string user)
    {
        var balance = await BalanceOfAsync(user);
        return (balance.Balance, balance.Available);
    }
}
