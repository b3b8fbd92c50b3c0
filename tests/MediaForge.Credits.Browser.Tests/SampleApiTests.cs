using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using MediaForge.Credits.AspNetCore;
using MediaForge.Credits.Browser.Tests.Infrastructure;
using MediaForge.Credits.Readme;

namespace MediaForge.Credits.Browser.Tests;

/// <summary>The sample's API without a browser: local bearer sign-in (as <c>dotnet user-jwts</c> sets it up) and its OpenAPI document.</summary>
public sealed class SampleApiTests
{
    [Fact]
    public async Task Balance_DevelopmentBearerTokenFromUserJwts_AnswersForThatUser()
    {
        var key = RandomNumberGenerator.GetBytes(32);
        await using var app = await SampleApp.StartAsync(UserJwts.Configuration(key));
        using var client = new HttpClient { BaseAddress = new Uri(app.BaseUrl) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", UserJwts.Token(key, "user_123"));

        var balance = await client.GetFromJsonAsync<CreditBalanceResponse>("/api/credits/balance");

        Assert.Equal("user_123", balance!.UserId);
    }

    [Fact]
    public async Task Balance_BearerTokenSignedWithAnotherKey_Returns401()
    {
        await using var app = await SampleApp.StartAsync(UserJwts.Configuration(RandomNumberGenerator.GetBytes(32)));
        using var client = new HttpClient { BaseAddress = new Uri(app.BaseUrl) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", UserJwts.Token(RandomNumberGenerator.GetBytes(32), "user_123"));

        var response = await client.GetAsync("/api/credits/balance");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task OpenApi_Sample_ServesEveryCreditEndpointWithEnumNames()
    {
        await using var app = await SampleApp.StartAsync();
        using var client = new HttpClient { BaseAddress = new Uri(app.BaseUrl) };

        using var document = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json"));

        var paths = document.RootElement.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToHashSet();
        Assert.Superset(new HashSet<string>
        {
            "/api/credits/balance", "/api/credits/check", "/api/credits/transactions", "/api/credits/usage", "/api/credits/purchases",
            "/api/credits/packages", "/api/stripe/create-checkout-session", "/api/stripe/checkout-session/{id}", "/api/stripe/webhook",
            "/api/webhooks/clerk", "/api/credits/admin/analytics/usage", "/api/credits/admin/users/{userId}/adjustments",
        }, paths);
        var types = document.RootElement.GetProperty("components").GetProperty("schemas").GetProperty(nameof(CreditTransactionType));
        Assert.Contains("Bonus", types.GetProperty("enum").EnumerateArray().Select(v => v.GetString()));
    }
}
