using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using MediaForge.Credits.AspNetCore;
using MediaForge.Credits.Readme.Tests.Infrastructure;
using MediaForge.Credits.Tests.Infrastructure;

namespace MediaForge.Credits.Readme.Tests;

/// <summary>
/// The README's complete host <c>Program.cs</c> run as written, in Development, on a fresh SQLite file (its default
/// when no <c>ConnectionStrings:Credits</c> names another), signed in the way its "Signing in locally" says: the
/// configuration and tokens of <c>dotnet user-jwts</c>.
/// </summary>
[Collection(nameof(SnippetProgramCollection))]
public sealed class CompleteHostProgramTests : IAsyncLifetime
{
    private static readonly Lazy<System.Reflection.Assembly> Program = new(() => SnippetCompiler
        .Compile(ReadmeSnippets.Get("complete-host"), SnippetHarness.WholeProgram).Load());

    private readonly string databaseFile = Path.Combine(Path.GetTempPath(), $"readme-host-{Guid.NewGuid():N}.db");
    private readonly byte[] signingKey = RandomNumberGenerator.GetBytes(32);
    private SnippetProgram app = null!;

    public async Task InitializeAsync()
    {
        app = await SnippetProgram.StartAsync(Program.Value,
        [
            "--environment=Development",
            "--ConnectionStrings:Credits=Data Source=" + databaseFile,
            .. UserJwts.Configuration(signingKey).Select(setting => $"--{setting.Key}={setting.Value}"),
        ]);
    }

    public async Task DisposeAsync()
    {
        if (app is not null) await app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        File.Delete(databaseFile);
    }

    [Fact]
    public async Task Balance_UserJwtsToken_AnswersForItsSubject()
    {
        using var client = SignedInClient("user_123");

        var balance = await client.GetFromJsonAsync<CreditBalanceResponse>("/api/credits/balance");

        Assert.Equal("user_123", balance!.UserId);
    }

    [Fact]
    public async Task Balance_NoToken_Answers401()
    {
        using var client = app.CreateClient();

        var response = await client.GetAsync("/api/credits/balance");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task CreateCheckoutSession_StarterPack_Grants50Credits()
    {
        using var client = SignedInClient("user_123");

        var claim = await client.PostAsJsonAsync("/api/stripe/create-checkout-session", new { packageId = "starter" });

        Assert.Equal(HttpStatusCode.OK, claim.StatusCode);
        Assert.Equal(50, (await client.GetFromJsonAsync<CreditBalanceResponse>("/api/credits/balance"))!.Balance);
    }

    [Fact]
    public async Task OpenApi_Document_DescribesTheBalanceEndpoint()
    {
        using var client = app.CreateClient();

        using var document = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json"));

        Assert.True(document.RootElement.GetProperty("paths").TryGetProperty("/api/credits/balance", out _));
    }

    private HttpClient SignedInClient(string userId)
    {
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", UserJwts.Token(signingKey, userId));
        return client;
    }
}
