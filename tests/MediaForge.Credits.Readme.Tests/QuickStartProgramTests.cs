using System.Net;
using System.Net.Http.Json;
using MediaForge.Credits.Readme.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace MediaForge.Credits.Readme.Tests;

/// <summary>
/// The README's Quick start run as written (SQLite file <c>credits.db</c> in the working directory, Development, so
/// the schema is created), behind the test's sign-in, with <c>await app.RunAsync();</c> after it.
/// </summary>
[Collection(nameof(SnippetProgramCollection))]
public sealed class QuickStartProgramTests : IAsyncLifetime
{
    private static readonly Lazy<System.Reflection.Assembly> Program = new(() => SnippetCompiler
        .Compile(ReadmeSnippets.Get("quick-start"), SnippetHarness.Program(after: "await app.RunAsync();")).Load());

    private readonly string user = "readme-" + Guid.NewGuid().ToString("N");
    private SnippetProgram app = null!;

    public async Task InitializeAsync() => app = await SnippetProgram.StartAsync(Program.Value, "--environment=Development");

    public async Task DisposeAsync()
    {
        await app.DisposeAsync();
        SqliteConnection.ClearAllPools();
        foreach (var file in new[] { "credits.db", "credits.db-wal", "credits.db-shm" }) File.Delete(file);
    }

    [Fact]
    public async Task PostVideo_UserWithoutCredits_Answers402()
    {
        var response = await PostVideoAsync();

        Assert.Equal(HttpStatusCode.PaymentRequired, response.StatusCode);
    }

    [Fact]
    public async Task PostVideo_UserWith8Credits_AnswersTheVideoAndCharges8()
    {
        await using (var scope = app.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<ICreditService>().AddCreditsAsync(user, 10, CreditTransactionType.Bonus, "test funding");

        var response = await PostVideoAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("a red kite", (await response.Content.ReadFromJsonAsync<VideoBody>())!.Prompt);
        await using var check = app.Services.CreateAsyncScope();
        Assert.Equal(2, (await check.ServiceProvider.GetRequiredService<ICreditService>().GetBalanceAsync(user)).Balance);
    }

    private async Task<HttpResponseMessage> PostVideoAsync()
    {
        using var client = app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/videos") { Content = JsonContent.Create(new { prompt = "a red kite" }) };
        request.Headers.Add("X-Readme-User", user);
        return await client.SendAsync(request);
    }

    private sealed record VideoBody(string Prompt);
}
