using System.Net;
using MediaForge.Credits.AspNetCore.Tests.Infrastructure;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace MediaForge.Credits.AspNetCore.Tests.Endpoints;

/// <summary>
/// <c>.RequireCredits</c> when the ledger refuses a value: the signed-in user's id (too long, reserved) is the request's
/// fault (400), a hold longer than the ledger allows is the host's (the exception), whatever the key.
/// </summary>
public sealed class RequireCreditsArgumentTests(SqliteCreditsDatabase database) : IClassFixture<SqliteCreditsDatabase>, IAsyncLifetime
{
    private CreditsApp app = null!;
    private int handled;

    public async Task InitializeAsync() => app = await CreditsApp.StartAsync(database, database.ConnectionString, map: web =>
    {
        web.MapPost("/generate", () => { Interlocked.Increment(ref handled); return TypedResults.Ok(); }).RequireCredits("video-generation", "hailuo");
        web.MapPost("/generate-job", () => { Interlocked.Increment(ref handled); return TypedResults.Ok(); })
            .RequireCredits("video-generation", "hailuo", idempotencyKey: JobId);
        web.MapPost("/generate-year", () => TypedResults.Ok()).RequireCredits("video-generation", "hailuo", holdTtl: TimeSpan.FromDays(365), idempotencyKey: JobId);
    });

    private static string? JobId(HttpContext http) => http.Request.Headers["X-Job-Id"].FirstOrDefault();

    private static HttpRequestMessage Job(string path) => new(HttpMethod.Post, path) { Headers = { { "X-Job-Id", "job-1" } } };

    public async Task DisposeAsync() => await app.DisposeAsync();

    private static string TooLongUserId => "user_" + new string('u', CreditLimits.MaxUserIdLength);

    [Fact]
    public async Task RequireCredits_UserIdLongerThanTheLimit_Returns400InvalidUserIdAndSkipsTheHandler()
    {
        var response = await app.Client(TooLongUserId).PostAsync("/generate", null);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_user_id", (await ProblemAnswer.ReadAsync(response)).Code);
        Assert.Equal(0, handled);
    }

    [Fact]
    public async Task RequireCredits_UserIdInTheLibrarysReservedSpace_Returns400InvalidUserId()
    {
        var response = await app.Client("mf:team:acme").PostAsync("/generate", null);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_user_id", (await ProblemAnswer.ReadAsync(response)).Code);
    }

    [Fact]
    public async Task RequireCredits_UserIdLongerThanTheLimit_SaysWhy()
    {
        var response = await app.Client(TooLongUserId).PostAsync("/generate", null);

        var (title, detail) = await ProblemAnswer.ReadTextsAsync(response);
        Assert.Equal("The signed-in user's id is not accepted.", title);
        Assert.Contains("at most 128 are allowed", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RequireCredits_UserIdLongerThanTheLimitWithAValidKey_IsRefusedForTheUserIdNotTheKey()
    {
        using var request = Job("/generate-job");

        var response = await app.Client(TooLongUserId).SendAsync(request);

        Assert.Equal("invalid_user_id", (await ProblemAnswer.ReadAsync(response)).Code);
    }

    [Fact]
    public async Task RequireCredits_HoldLongerThanTheLedgerAllowsWithAValidKey_FailsAsTheHostsErrorNotAsAnInvalidKey()
    {
        var user = "user_" + Guid.NewGuid().ToString("N");
        using var request = Job("/generate-year");

        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => app.Client(user).SendAsync(request));

        Assert.Equal("ttl", error.ParamName);
    }
}
