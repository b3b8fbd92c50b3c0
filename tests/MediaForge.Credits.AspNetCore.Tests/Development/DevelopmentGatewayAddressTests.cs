using System.Net;
using System.Net.Http.Json;
using MediaForge.Credits.AspNetCore.Tests.Infrastructure;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace MediaForge.Credits.AspNetCore.Tests.Development;

/// <summary>
/// Issues 10 and 15: the development gateway's webhooks go to the app's own address and the checkout URLs come from
/// configuration, whatever Host header a client sends; a refused webhook's answer is never shown on the page.
/// </summary>
public abstract class DevelopmentGatewayAddressTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>, IAsyncLifetime
    where TDatabase : CreditsDatabase
{
    private const string ForgedHost = "attacker.example";
    private DevelopmentGatewayApp app = null!;

    public async Task InitializeAsync() => app = await DevelopmentGatewayApp.StartAsync(database, database.ConnectionString);

    public async Task DisposeAsync() => await app.DisposeAsync();

    private static string NewUser() => "user_" + Guid.NewGuid().ToString("N");

    private async Task<CheckoutSessionResponse> StartCheckoutAsync(string userId, string? host = null)
    {
        var response = await app.Client(userId, host).PostAsJsonAsync("/api/stripe/create-checkout-session", new { packageId = "pro" });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<CheckoutSessionResponse>())!;
    }

    [Fact]
    public async Task Pay_ForgedHostHeader_PostsWebhookToOwnAddress()
    {
        var user = NewUser();
        var session = await StartCheckoutAsync(user);

        await app.Client(host: ForgedHost).PostAsync($"/_mediaforge/checkout/{session.SessionId}/pay", null);

        Assert.Equal("http://localhost/api/stripe/webhook", Assert.Single(app.Outgoing.Targets).ToString());
        Assert.Equal(200, await app.BalanceAsync(user));
    }

    [Fact]
    public async Task CreateCheckoutSession_ForgedHostHeader_CheckoutAndReturnUrlsOnOwnAddress()
    {
        var session = await StartCheckoutAsync(NewUser(), ForgedHost);

        var response = await app.Client(host: ForgedHost).PostAsync($"/_mediaforge/checkout/{session.SessionId}/cancel", null);

        Assert.Equal(("localhost", "http://localhost/?checkout=cancelled"), (new Uri(session.Url!).Host, response.Headers.Location!.ToString()));
    }

    [Fact]
    public async Task Pay_WebhookRefused_PageShowsStatusButNotTheAnswer()
    {
        var session = await StartCheckoutAsync(NewUser());
        app.Outgoing.Answer = (HttpStatusCode.BadRequest, "<script>steal()</script> internal secret");

        var response = await app.Client().PostAsync($"/_mediaforge/checkout/{session.SessionId}/pay", null);
        var page = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Contains("400", page, StringComparison.Ordinal);
        Assert.DoesNotContain("steal", page, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClerkDevelopmentWebhook_SendUserCreated_PostsToOwnAddress()
    {
        await app.WithServiceAsync<IClerkDevelopmentWebhook, WebhookReceipt>(clerk => clerk.SendUserCreatedAsync(NewUser(), null, null, isAdmin: false));

        Assert.Equal("http://localhost/api/webhooks/clerk", Assert.Single(app.Outgoing.Targets).ToString());
    }

    [Fact]
    public async Task Pay_PublicBaseUrlConfigured_PostsWebhookAndRedirectsThere()
    {
        await using var configured = await DevelopmentGatewayApp.StartAsync(database, database.ConnectionString,
            settings: new Dictionary<string, string?> { ["MediaForge:Credits:Http:PublicBaseUrl"] = "https://shop.example/app" });
        var created = await configured.Client(NewUser(), ForgedHost).PostAsJsonAsync("/api/stripe/create-checkout-session", new { packageId = "pro" });
        var session = (await created.Content.ReadFromJsonAsync<CheckoutSessionResponse>())!;
        configured.Outgoing.Answer = (HttpStatusCode.OK, "{\"received\":true,\"duplicate\":false,\"outcome\":\"completed\"}");

        var response = await configured.Client(host: ForgedHost).PostAsync($"/_mediaforge/checkout/{session.SessionId}/pay", null);

        Assert.Equal("https://shop.example/app/api/stripe/webhook", Assert.Single(configured.Outgoing.Targets).ToString());
        Assert.Equal($"https://shop.example/app/?checkout=success&session_id={session.SessionId}", response.Headers.Location!.ToString());
    }

    [Theory]
    [InlineData("/relative")]
    [InlineData("ftp://shop.example")]
    [InlineData("https://shop.example/?next=evil")]
    public async Task Start_PublicBaseUrlNotAbsoluteHttp_FailsValidation(string url)
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => DevelopmentGatewayApp.StartAsync(database, database.ConnectionString,
            settings: new Dictionary<string, string?> { ["MediaForge:Credits:Http:PublicBaseUrl"] = url }));

        Assert.Contains("PublicBaseUrl", error.Message, StringComparison.Ordinal);
    }
}

public sealed class SqliteDevelopmentGatewayAddressTests(SqliteCreditsDatabase database) : DevelopmentGatewayAddressTests<SqliteCreditsDatabase>(database);

public sealed class PostgresDevelopmentGatewayAddressTests(PostgresCreditsDatabase database) : DevelopmentGatewayAddressTests<PostgresCreditsDatabase>(database);
