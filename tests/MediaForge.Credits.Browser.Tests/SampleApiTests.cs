using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using MediaForge.Credits.AspNetCore;
using MediaForge.Credits.Browser.Tests.Infrastructure;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace MediaForge.Credits.Browser.Tests;

/// <summary>The sample's API without a browser: local bearer sign-in (as <c>dotnet user-jwts</c> sets it up) and its OpenAPI document.</summary>
public sealed class SampleApiTests
{
    private const string Issuer = "dotnet-user-jwts";
    private const string Audience = "http://localhost:5080";

    /// <summary>What <c>dotnet user-jwts create</c> writes: the Bearer scheme's issuer and audience, and the signing key (user secrets).</summary>
    private static Dictionary<string, string?> UserJwtsConfiguration(byte[] key) => new()
    {
        ["Authentication:Schemes:Bearer:ValidIssuer"] = Issuer,
        ["Authentication:Schemes:Bearer:ValidAudiences:0"] = Audience,
        ["Authentication:Schemes:Bearer:SigningKeys:0:Id"] = "test",
        ["Authentication:Schemes:Bearer:SigningKeys:0:Issuer"] = Issuer,
        ["Authentication:Schemes:Bearer:SigningKeys:0:Value"] = Convert.ToBase64String(key),
        ["Authentication:Schemes:Bearer:SigningKeys:0:Length"] = key.Length.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>A token shaped like <c>dotnet user-jwts create --name {userId}</c>'s: <c>sub</c> and <c>unique_name</c>, HMAC-SHA256.</summary>
    private static string UserJwt(byte[] key, string userId) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Issuer = Issuer,
        Audience = Audience,
        Claims = new Dictionary<string, object> { ["sub"] = userId, ["unique_name"] = userId },
        Expires = DateTime.UtcNow.AddHours(1),
        SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(key), SecurityAlgorithms.HmacSha256),
    });

    [Fact]
    public async Task Balance_DevelopmentBearerTokenFromUserJwts_AnswersForThatUser()
    {
        var key = RandomNumberGenerator.GetBytes(32);
        await using var app = await SampleApp.StartAsync(UserJwtsConfiguration(key));
        using var client = new HttpClient { BaseAddress = new Uri(app.BaseUrl) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", UserJwt(key, "user_123"));

        var balance = await client.GetFromJsonAsync<CreditBalanceResponse>("/api/credits/balance");

        Assert.Equal("user_123", balance!.UserId);
    }

    [Fact]
    public async Task Balance_BearerTokenSignedWithAnotherKey_Returns401()
    {
        await using var app = await SampleApp.StartAsync(UserJwtsConfiguration(RandomNumberGenerator.GetBytes(32)));
        using var client = new HttpClient { BaseAddress = new Uri(app.BaseUrl) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", UserJwt(RandomNumberGenerator.GetBytes(32), "user_123"));

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
