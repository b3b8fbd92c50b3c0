using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;

namespace MediaForge.Credits.Readme.Tests.Infrastructure;

/// <summary>What the tests do with a running README program that maps the Quick start's <c>POST /api/videos</c>.</summary>
internal static class VideoRequests
{
    /// <summary>Posts a video request as the signed-in <paramref name="user"/> (the test's sign-in header).</summary>
    public static async Task<HttpResponseMessage> PostVideoAsync(this SnippetProgram app, string user, string prompt, string? idempotencyKey = null)
    {
        using var client = app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/videos") { Content = JsonContent.Create(new { prompt }) };
        request.Headers.Add("X-Readme-User", user);
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        return await client.SendAsync(request);
    }

    /// <summary>The prompt of the video a response carries.</summary>
    public static async Task<string> ReadPromptAsync(this HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<VideoBody>())?.Prompt ?? throw new InvalidOperationException("The response carries no video.");

    /// <summary>Grants the user credits through the program's own <see cref="ICreditService"/>.</summary>
    public static async Task FundAsync(this SnippetProgram app, string user, long credits)
    {
        await using var scope = app.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<ICreditService>().AddCreditsAsync(user, credits, CreditTransactionType.Bonus, "test funding");
    }

    /// <summary>The user's balance in the program's database.</summary>
    public static async Task<long> BalanceAsync(this SnippetProgram app, string user)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return (await scope.ServiceProvider.GetRequiredService<ICreditService>().GetBalanceAsync(user)).Balance;
    }

    private sealed record VideoBody(string Prompt);
}
