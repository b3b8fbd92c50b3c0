using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MediaForge.Credits.Browser.Tests.Infrastructure;

namespace MediaForge.Credits.Browser.Tests;

/// <summary>
/// The sample's job pattern over HTTP (issue 13): a server-side job id, the price reserved before the work, captured
/// after. Duplicates of one job run once; concurrent jobs run only as far as the credits pay.
/// </summary>
public sealed class SampleJobTests : IAsyncLifetime
{
    private const string Path = "/api/demo/features/video-generation/veo2";
    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(1);
    private SampleApp app = null!;

    public async Task InitializeAsync() => app = await SampleApp.StartAsync();

    public async Task DisposeAsync() => await app.DisposeAsync();

    /// <summary>A client signed in as a new demo user (50 sign-up credits), and the user's id.</summary>
    private async Task<(HttpClient Client, string UserId)> SignInAsync()
    {
        var client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = new Uri(app.BaseUrl) };
        var response = await client.PostAsJsonAsync("/demo/sign-in", new { name = "jobs " + Guid.NewGuid().ToString("N")[..8], admin = false });
        response.EnsureSuccessStatusCode();
        var userId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("userId").GetString()!;
        return (client, userId);
    }

    private static HttpRequestMessage Use(string path = Path, string? key = null, string? wallet = null)
    {
        var body = JsonSerializer.Serialize(new { prompt = "a cat", wallet });
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (key is not null)
        {
            request.Headers.TryAddWithoutValidation("Idempotency-Key", key);
        }

        return request;
    }

    private static async Task<List<(HttpStatusCode Status, string Body)>> SendAllAsync(HttpClient client, IEnumerable<HttpRequestMessage> requests)
    {
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sends = requests.Select(r => Task.Run(async () =>
        {
            await start.Task;
            using var response = await client.SendAsync(r);
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        })).ToList();
        start.SetResult();
        return (await Task.WhenAll(sends).WaitAsync(Bound)).ToList();
    }

    private Task<long> BalanceAsync(string userId) =>
        app.WithServiceAsync<ICreditService, long>(async c => (await c.GetBalanceAsync(userId)).Balance);

    private Task<int> UsesAsync(string userId) =>
        app.WithServiceAsync<ICreditService, int>(async c => (await c.GetUsageAsync(userId, 1, 100)).Items.Count);

    [Fact]
    public async Task UseFeature_TenConcurrentRequestsWithOneIdempotencyKey_RunsAndChargesOnce()
    {
        var (client, userId) = await SignInAsync();

        var results = await SendAllAsync(client, Enumerable.Range(0, 10).Select(_ => Use(key: "render-42")));

        Assert.Single(results, r => r.Status == HttpStatusCode.OK);
        Assert.All(results.Where(r => r.Status != HttpStatusCode.OK), r =>
            Assert.Equal((HttpStatusCode.Conflict, "job_already_submitted"), (r.Status, JsonDocument.Parse(r.Body).RootElement.GetProperty("code").GetString())));
        Assert.Equal((50L - 15, 1), (await BalanceAsync(userId), await UsesAsync(userId)));
    }

    [Fact]
    public async Task UseFeature_TwentyConcurrentJobsOnBalanceForFive_ExactlyFiveRunAndPay()
    {
        var (client, userId) = await SignInAsync();
        await app.WithServiceAsync<ICreditService, CreditTransactionResult>(c => c.AddCreditsAsync(userId, 25, CreditTransactionType.Bonus, "to 75"));

        var results = await SendAllAsync(client, Enumerable.Range(0, 20).Select(_ => Use()));

        Assert.Equal(5, results.Count(r => r.Status == HttpStatusCode.OK));
        Assert.Equal(15, results.Count(r => r.Status == HttpStatusCode.PaymentRequired));
        Assert.Equal((0L, 5), (await BalanceAsync(userId), await UsesAsync(userId)));
    }

    [Fact]
    public async Task UseFeature_SameKeyForAnotherFeature_Returns409ConflictWithoutCharge()
    {
        var (client, userId) = await SignInAsync();
        (await client.SendAsync(Use(key: "job-1"))).EnsureSuccessStatusCode();

        using var response = await client.SendAsync(Use("/api/demo/features/image-generation/default", key: "job-1"));

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("idempotency_key_conflict", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        Assert.Equal(50L - 15, await BalanceAsync(userId));
    }

    [Theory]
    [InlineData("/api/demo/features/video-generation/veo2", "three-hundred")]
    [InlineData("/api/demo/features/video-generation/veo2", "mf:purchase:cs_1")]
    [InlineData("/api/demo/features/%20/veo2", null)]
    [InlineData("/api/demo/features/vid%C3%A9o%F0%9F%8E%AC/veo2", null)]
    public async Task UseFeature_BadKeyOrFeature_Returns400ProblemWithoutCharge(string path, string? key)
    {
        var (client, userId) = await SignInAsync();

        using var response = await client.SendAsync(Use(path, key == "three-hundred" ? new string('k', 300) : key));

        Assert.Equal((HttpStatusCode.BadRequest, "application/problem+json"), (response.StatusCode, response.Content.Headers.ContentType?.MediaType));
        Assert.Equal(50L, await BalanceAsync(userId));
    }

    [Theory]
    [InlineData("team:")]
    [InlineData("team:demo studio")]
    [InlineData("team:\u0001")]
    [InlineData("demo-studio")]
    [InlineData("Personal")]
    [InlineData("mf:team:demo-studio")]
    [InlineData("team:65")]
    [InlineData("huge")]
    public async Task UseFeature_JunkWallet_Returns400ProblemWithoutCharge(string wallet)
    {
        var (client, userId) = await SignInAsync();
        var value = wallet switch { "team:65" => "team:" + new string('t', 65), "huge" => new string('w', 100_000), _ => wallet };

        using var response = await client.SendAsync(Use(wallet: value));

        Assert.Equal((HttpStatusCode.BadRequest, "application/problem+json"), (response.StatusCode, response.Content.Headers.ContentType?.MediaType));
        Assert.Equal("invalid_wallet", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        Assert.Equal(50L, await BalanceAsync(userId));
    }

    [Fact]
    public async Task UseFeature_WalletOfATeamNotJoined_Returns403WithoutCharge()
    {
        var (client, userId) = await SignInAsync();

        using var response = await client.SendAsync(Use(wallet: "team:demo-studio"));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("not_team_member", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        Assert.Equal(50L, await BalanceAsync(userId));
    }

    [Fact]
    public async Task UseFeature_OwnerFromTheEmptyTeamWallet_Returns402AndLeavesTheirOwnCredits()
    {
        using var client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = new Uri(app.BaseUrl) };
        (await client.PostAsJsonAsync("/demo/sign-in", new { admin = false })).EnsureSuccessStatusCode();

        using var response = await client.SendAsync(Use(wallet: "team:demo-studio"));
        using var own = await client.SendAsync(Use(wallet: "personal"));

        Assert.Equal(HttpStatusCode.PaymentRequired, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(("insufficient_credits", 0L), (problem.GetProperty("code").GetString(), problem.GetProperty("available").GetInt64()));
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        Assert.Equal(50L - 15, await BalanceAsync("user_demo"));
    }

    [Fact]
    public async Task UseFeature_NotSignedIn_Returns401Problem()
    {
        using var client = new HttpClient { BaseAddress = new Uri(app.BaseUrl) };

        using var response = await client.SendAsync(Use());

        Assert.Equal((HttpStatusCode.Unauthorized, "application/problem+json"), (response.StatusCode, response.Content.Headers.ContentType?.MediaType));
    }
}
