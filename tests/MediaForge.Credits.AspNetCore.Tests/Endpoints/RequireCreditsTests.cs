using System.Net;
using MediaForge.Credits.AspNetCore.Tests.Infrastructure;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace MediaForge.Credits.AspNetCore.Tests.Endpoints;

/// <summary><c>.RequireCredits(feature, model)</c> on a host's own minimal-API endpoints.</summary>
public abstract class RequireCreditsTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>, IAsyncLifetime
    where TDatabase : CreditsDatabase
{
    private CreditsApp app = null!;

    public async Task InitializeAsync() => app = await CreditsApp.StartAsync(database, database.ConnectionString, map: web =>
    {
        web.MapPost("/generate", () => TypedResults.Ok(new { video = "fox.mp4" })).RequireCredits("video-generation", "hailuo");
        web.MapPost("/generate-fails", () => TypedResults.Problem(statusCode: 500, title: "render failed")).RequireCredits("video-generation", "hailuo");
        web.MapPost("/generate-throws", IResult () => throw new InvalidOperationException("render crashed")).RequireCredits("video-generation", "hailuo");
    });

    public async Task DisposeAsync() => await app.DisposeAsync();

    private async Task<string> UserWithAsync(long credits)
    {
        var user = "user_" + Guid.NewGuid().ToString("N");
        await app.WithServiceAsync<CreditTransactionResult, ICreditService>(c => c.AddCreditsAsync(user, credits, CreditTransactionType.Bonus, "test"));
        return user;
    }

    private async Task<long> AvailableAsync(string user) =>
        await app.WithServiceAsync<long, ICreditService>(async c => (await c.GetBalanceAsync(user)).Available);

    [Fact]
    public async Task RequireCredits_SuccessfulHandler_ChargesThePrice()
    {
        var user = await UserWithAsync(20);

        var response = await app.Client(user).PostAsync("/generate", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(12, await app.BalanceAsync(user));
        Assert.Equal(12, await AvailableAsync(user));
    }

    [Fact]
    public async Task RequireCredits_HandlerReturnsAnError_ReleasesTheHold()
    {
        var user = await UserWithAsync(20);

        var response = await app.Client(user).PostAsync("/generate-fails", null);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal((20L, 20L), (await app.BalanceAsync(user), await AvailableAsync(user)));
    }

    [Fact]
    public async Task RequireCredits_HandlerThrows_ReleasesTheHold()
    {
        var user = await UserWithAsync(20);

        await Assert.ThrowsAnyAsync<Exception>(() => app.Client(user).PostAsync("/generate-throws", null));

        Assert.Equal((20L, 20L), (await app.BalanceAsync(user), await AvailableAsync(user)));
    }

    [Fact]
    public async Task RequireCredits_NotEnoughCredits_Returns402AndSkipsTheHandler()
    {
        var user = await UserWithAsync(5);

        var response = await app.Client(user).PostAsync("/generate", null);

        Assert.Equal(HttpStatusCode.PaymentRequired, response.StatusCode);
        Assert.Contains("insufficient_credits", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(5, await app.BalanceAsync(user));
    }

    [Fact]
    public async Task RequireCredits_Anonymous_Returns401()
    {
        var response = await app.Client().PostAsync("/generate", null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}

public sealed class SqliteRequireCreditsTests(SqliteCreditsDatabase database) : RequireCreditsTests<SqliteCreditsDatabase>(database);

public sealed class PostgresRequireCreditsTests(PostgresCreditsDatabase database) : RequireCreditsTests<PostgresCreditsDatabase>(database);
