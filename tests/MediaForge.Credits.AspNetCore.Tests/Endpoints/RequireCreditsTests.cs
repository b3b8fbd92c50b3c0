using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Json;
using MediaForge.Credits.AspNetCore.Tests.Infrastructure;
using MediaForge.Credits.Entities;
using MediaForge.Credits.Storage;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Time.Testing;

namespace MediaForge.Credits.AspNetCore.Tests.Endpoints;

/// <summary><c>.RequireCredits(feature, model)</c> on a host's own minimal-API endpoints.</summary>
public abstract class RequireCreditsTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>, IAsyncLifetime
    where TDatabase : CreditsDatabase
{
    private readonly FakeTimeProvider clock = new(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
    private CreditsApp app = null!;

    public async Task InitializeAsync() => app = await CreditsApp.StartAsync(database, database.ConnectionString, s => s.AddSingleton<TimeProvider>(clock), web =>
    {
        web.MapPost("/generate", () => TypedResults.Ok(new { video = "fox.mp4" })).RequireCredits("video-generation", "hailuo");
        web.MapPost("/generate-slow", () =>
        {
            clock.Advance(TimeSpan.FromMinutes(16));
            return TypedResults.Ok(new { video = "fox.mp4" });
        }).RequireCredits("video-generation", "hailuo");
        web.MapPost("/generate-slow-spending", async (HttpContext http, ICreditService credits) =>
        {
            clock.Advance(TimeSpan.FromMinutes(16));
            await credits.DeductCreditsAsync(http.Request.Headers["X-Test-User"].ToString(), "map-animation", "veo2");
            return TypedResults.Ok(new { video = "fox.mp4" });
        }).RequireCredits("video-generation", "hailuo");
        web.MapPost("/generate-slow-streaming", async (HttpContext http, ICreditService credits) =>
        {
            clock.Advance(TimeSpan.FromMinutes(16));
            await credits.DeductCreditsAsync(http.Request.Headers["X-Test-User"].ToString(), "map-animation", "veo2");
            await http.Response.WriteAsync("fox.mp4");
            await http.Response.Body.FlushAsync();
            return Results.Empty;
        }).RequireCredits("video-generation", "hailuo");
        web.MapPost("/generate-hour", async (HttpContext http, CreditsDbContext db) =>
        {
            var user = http.Request.Headers["X-Test-User"].ToString();
            var expiresAt = await db.Reservations.Where(r => r.UserId == user && r.Status == ReservationStatus.Active).Select(r => r.ExpiresAt).SingleAsync();
            return TypedResults.Ok(new DateTimeOffset(DateTime.SpecifyKind(expiresAt, DateTimeKind.Utc)));
        }).RequireCredits("video-generation", "hailuo", holdTtl: TimeSpan.FromHours(1));
        web.MapPost("/generate-job", () => TypedResults.Ok(new { video = "fox.mp4" }))
            .RequireCredits("video-generation", "hailuo", idempotencyKey: http => http.Request.Headers["X-Job-Id"].FirstOrDefault());
        web.MapPost("/generate-fails", () => TypedResults.Problem(statusCode: 500, title: "render failed")).RequireCredits("video-generation", "hailuo");
        web.MapPost("/generate-invalid", () => TypedResults.BadRequest()).RequireCredits("video-generation", "hailuo");
        web.MapPost("/generate-unprocessable", (HttpContext http) =>
        {
            http.Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
            return "no video";
        }).RequireCredits("video-generation", "hailuo");
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
        Assert.Equal("Insufficient credits.", await TitleOf(response));
        Assert.Equal(5, await app.BalanceAsync(user));
    }

    private static async Task<string?> TitleOf(HttpResponseMessage response) => (await ProblemAnswer.ReadTextsAsync(response)).Title;

    private static async Task<string?> DetailOf(HttpResponseMessage response) => (await ProblemAnswer.ReadTextsAsync(response)).Detail;

    [Fact]
    public async Task RequireCredits_NotEnoughCredits_SaysWhatIsAvailable()
    {
        var response = await app.Client(await UserWithAsync(5)).PostAsync("/generate", null);

        Assert.Equal("video-generation with hailuo costs more than the 5 credits available.", await DetailOf(response));
    }

    [Theory]
    [InlineData("/generate-invalid")]
    [InlineData("/generate-unprocessable")]
    public async Task RequireCredits_HandlerAnswers4xx_ReleasesTheHold(string path)
    {
        var user = await UserWithAsync(20);

        var response = await app.Client(user).PostAsync(path, null);

        Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.UnprocessableEntity, response.StatusCode.ToString());
        Assert.Equal((20L, 20L), (await app.BalanceAsync(user), await AvailableAsync(user)));
    }

    [Fact]
    public async Task RequireCredits_SameKeyAfterTheJobRan_Returns409DuplicateRequestAndChargesOnce()
    {
        var user = await UserWithAsync(100);
        var client = app.Client(user);
        client.DefaultRequestHeaders.Add("X-Job-Id", "job-3");
        await client.PostAsync("/generate-job", null);

        var again = await client.PostAsync("/generate-job", null);

        Assert.Contains("duplicate_request", await again.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(("This request was already made.", "A request with this idempotency key already holds or has spent its credits; the work is not run twice."),
            (await TitleOf(again), await DetailOf(again)));
        Assert.Equal("A request with this idempotency key already holds or has spent its credits; the work is not run twice.", await DetailOf(again));
        Assert.Equal(92, await app.BalanceAsync(user));
    }

    private MetricCollector<long> CaptureFailures() =>
        new(app.Services.GetRequiredService<IMeterFactory>(), "MediaForge.Credits", "mediaforge.credits.holds.capture_failed");

    [Fact]
    public async Task RequireCredits_HoldTtl_HoldsForThatLong()
    {
        var user = await UserWithAsync(20);

        var response = await app.Client(user).PostAsync("/generate-hour", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(clock.GetUtcNow().AddHours(1), await response.Content.ReadFromJsonAsync<DateTimeOffset>());
    }

    [Fact]
    public async Task RequireCredits_JobOutlivesItsHold_ChargesThePriceLateAndCountsIt()
    {
        var user = await UserWithAsync(20);
        using var failures = CaptureFailures();

        var response = await app.Client(user).PostAsync("/generate-slow", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal((12L, 12L), (await app.BalanceAsync(user), await AvailableAsync(user)));
        Assert.True(Assert.Single(failures.GetMeasurementSnapshot()).ContainsTags(new KeyValuePair<string, object?>("credits.outcome", "charged_late")));
    }

    [Fact]
    public async Task RequireCredits_JobOutlivesItsHoldAndTheCreditsAreGone_Returns402AndCountsIt()
    {
        var user = await UserWithAsync(10);
        using var failures = CaptureFailures();

        var response = await app.Client(user).PostAsync("/generate-slow-spending", null);

        Assert.Equal(HttpStatusCode.PaymentRequired, response.StatusCode);
        Assert.Contains("hold_expired", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("The credit hold expired before the work was done.", await TitleOf(response));
        Assert.Equal("video-generation with hailuo took longer than its credit hold, and its price is no longer available; nothing was charged.",
            await DetailOf(response));
        Assert.Equal(0, await app.BalanceAsync(user));
        Assert.True(Assert.Single(failures.GetMeasurementSnapshot()).ContainsTags(new KeyValuePair<string, object?>("credits.outcome", "refused")));
    }

    [Fact]
    public async Task RequireCredits_StreamedJobOutlivesItsHoldAndTheCreditsAreGone_CountsItDeliveredUnpaid()
    {
        var user = await UserWithAsync(10);
        using var failures = CaptureFailures();

        var response = await app.Client(user).PostAsync("/generate-slow-streaming", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(0, await app.BalanceAsync(user));
        Assert.True(Assert.Single(failures.GetMeasurementSnapshot()).ContainsTags(new KeyValuePair<string, object?>("credits.outcome", "delivered_unpaid")));
    }

    [Fact]
    public async Task RequireCredits_KeyUsedForAnotherHold_Returns409Conflict()
    {
        var user = await UserWithAsync(100);
        await app.WithServiceAsync<CreditReservationResult, ICreditReservationService>(r => r.ReserveCreditsAsync(user, "image-generation", "default", idempotencyKey: "job-1"));
        var client = app.Client(user);
        client.DefaultRequestHeaders.Add("X-Job-Id", "job-1");

        var response = await client.PostAsync("/generate-job", null);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("The idempotency key was used for another request.", await TitleOf(response));
        Assert.Contains("idempotency_key_conflict", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("The key was already used to hold credits for another feature, model or amount than video-generation with hailuo.",
            await DetailOf(response));
        Assert.Equal(100, await app.BalanceAsync(user));
    }

    [Fact]
    public async Task RequireCredits_SameKeyManyTimesAtOnce_RunsTheJobOnceAndChargesOnce()
    {
        var user = await UserWithAsync(100);

        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Task.Run(() =>
        {
            var client = app.Client(user);
            client.DefaultRequestHeaders.Add("X-Job-Id", "job-2");
            return client.PostAsync("/generate-job", null);
        })));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.OK);
        Assert.All(responses.Where(r => r.StatusCode != HttpStatusCode.OK), r => Assert.Equal(HttpStatusCode.Conflict, r.StatusCode));
        Assert.Equal((92L, 92L), (await app.BalanceAsync(user), await AvailableAsync(user)));
    }

    [Fact]
    public async Task RequireCredits_ReservedKey_Returns400()
    {
        var user = await UserWithAsync(100);
        var client = app.Client(user);
        client.DefaultRequestHeaders.Add("X-Job-Id", "mf:purchase:cs_1");

        var response = await client.PostAsync("/generate-job", null);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("invalid_idempotency_key", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("The idempotency key is not valid.", await TitleOf(response));
        Assert.Equal(100, await app.BalanceAsync(user));
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
