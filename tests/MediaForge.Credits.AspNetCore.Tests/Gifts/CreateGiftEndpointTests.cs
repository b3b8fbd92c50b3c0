using System.Net;
using System.Net.Http.Json;
using System.Text;
using MediaForge.Credits.AspNetCore.Tests.Infrastructure;
using MediaForge.Credits.Tests.Infrastructure;

namespace MediaForge.Credits.AspNetCore.Tests.Gifts;

/// <summary><c>POST /api/credits/gifts</c>: credits held once per key, the code and an absolute link, a problem for each refusal.</summary>
public abstract class CreateGiftEndpointTests<TDatabase>(TDatabase database) : GiftAppTests<TDatabase>(database)
    where TDatabase : CreditsDatabase
{
    [Fact]
    public async Task Create_SignedIn_201WithTheCodeAndALinkFromTheConfiguredAddressNotTheHost()
    {
        var sender = await FundedUserAsync(100);
        var client = App.Client(sender);
        client.DefaultRequestHeaders.Host = "evil.example.net";

        var response = await client.PostAsJsonAsync("/api/credits/gifts", new { amount = 30, message = "Happy birthday" });
        var body = (await response.Content.ReadFromJsonAsync<CreditGiftCodeResponse>())!;

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal($"{PublicBase}/gift?gift={Uri.EscapeDataString(body.Code)}", body.Link);
        Assert.Equal((30L, "Happy birthday", CreditGiftStatus.Pending, false), (body.Gift.Amount, body.Gift.Message, body.Gift.Status, body.IsReplay));
    }

    [Fact]
    public async Task Create_Gift_HoldsTheCreditsFromTheSender()
    {
        var sender = await FundedUserAsync(100);

        await GiveAsync(sender, 30);

        Assert.Equal((100L, 70L), await CreditsOfAsync(sender));
    }

    [Fact]
    public async Task Create_SameIdempotencyKeyTwice_OneGiftHeldOnceAndTheReplayAnswers200()
    {
        var sender = await FundedUserAsync(100);

        var first = await CreateAsync(sender, new { amount = 25 }, "gift-key-1");
        var second = await CreateAsync(sender, new { amount = 25 }, "gift-key-1");

        var (a, b) = ((await first.Content.ReadFromJsonAsync<CreditGiftCodeResponse>())!, (await second.Content.ReadFromJsonAsync<CreditGiftCodeResponse>())!);
        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.OK), (first.StatusCode, second.StatusCode));
        Assert.Equal((a.Gift.Id, false, true), (b.Gift.Id, a.IsReplay, b.IsReplay));
        Assert.Equal((100L, 75L), await CreditsOfAsync(sender));
    }

    [Fact]
    public async Task Create_TenConcurrentRequestsWithOneKey_OneGiftHeldOnce()
    {
        var sender = await FundedUserAsync(100);
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var requests = Enumerable.Range(0, 10).Select(_ => Task.Run(async () =>
        {
            await start.Task;
            var response = await CreateAsync(sender, new { amount = 40 }, "race-key");
            return (response.StatusCode, (await response.Content.ReadFromJsonAsync<CreditGiftCodeResponse>())?.Gift.Id);
        })).ToList();
        start.SetResult();
        var answers = await Task.WhenAll(requests);

        Assert.All(answers, a => Assert.True(a.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, a.StatusCode.ToString()));
        Assert.Single(answers.Select(a => a.Id).Distinct());
        Assert.Equal((100L, 60L), await CreditsOfAsync(sender));
    }

    [Fact]
    public async Task Create_SameKeyForAnotherAmount_409IdempotencyKeyConflict()
    {
        var sender = await FundedUserAsync(100);
        (await CreateAsync(sender, new { amount = 25 }, "gift-key-2")).EnsureSuccessStatusCode();

        var problem = await ProblemAnswer.ReadAsync(await CreateAsync(sender, new { amount = 26 }, "gift-key-2"));

        Assert.Equal((409, "idempotency_key_conflict"), (problem.Status, problem.Code));
        Assert.Equal((100L, 75L), await CreditsOfAsync(sender));
    }

    [Fact]
    public async Task Create_MoreThanTheSpendableCredits_402InsufficientCreditsAndNothingHeld()
    {
        var sender = await FundedUserAsync(20);

        var problem = await ProblemAnswer.ReadAsync(await CreateAsync(sender, new { amount = 21 }));

        Assert.Equal((402, "insufficient_credits"), (problem.Status, problem.Code));
        Assert.Equal((20L, 20L), await CreditsOfAsync(sender));
    }

    [Fact]
    public async Task Create_OverTheLargestGift_422GiftOverMaximum()
    {
        var sender = await FundedUserAsync(1_000);

        Assert.Equal((422, "gift_over_maximum", "A gift holds at most 500 credits."), await ProblemAnswer.ReadAsync(await CreateAsync(sender, new { amount = 501 })));
        Assert.Equal((1_000L, 1_000L), await CreditsOfAsync(sender));
    }

    [Theory]
    [InlineData("{\"amount\":0}", "invalid_gift_amount")]
    [InlineData("{\"amount\":-5}", "invalid_gift_amount")]
    [InlineData("{}", "invalid_gift_amount")]
    [InlineData("{\"amount\":\"lots\"}", "malformed_body")]
    [InlineData("{\"amount\":99999999999999999999999}", "malformed_body")]
    [InlineData("{\"amount\":1.5}", "malformed_body")]
    [InlineData("{\"amount\":5,\"expiresAt\":\"yesterday\"}", "malformed_body")]
    [InlineData("{\"amount\":5,\"expiresAt\":\"2001-01-01T00:00:00Z\"}", "invalid_gift_expiry")]
    [InlineData("{\"amount\":5,\"expiresAt\":\"2999-01-01T00:00:00Z\"}", "invalid_gift_expiry")]
    public async Task Create_BadBody_400WithItsCodeAndNothingHeld(string json, string code)
    {
        var sender = await FundedUserAsync(100);

        var response = await App.Client(sender).PostAsync("/api/credits/gifts", new StringContent(json, Encoding.UTF8, "application/json"));

        Assert.Equal((400, code), ((int)response.StatusCode, (await ProblemAnswer.ReadAsync(response)).Code));
        Assert.Equal((100L, 100L), await CreditsOfAsync(sender));
    }

    [Fact]
    public async Task Create_MessageOverTheLimit_400InvalidGiftMessage()
    {
        var sender = await FundedUserAsync(100);

        var problem = await ProblemAnswer.ReadAsync(await CreateAsync(sender, new { amount = 5, message = new string('m', 281) }));

        Assert.Equal((400, "invalid_gift_message", "A gift message has at most 280 characters."), problem);
    }

    [Fact]
    public async Task Create_MessageAtTheLimit_IsKept()
    {
        var sender = await FundedUserAsync(100);

        var gift = await GiveAsync(sender, 5, new string('m', 280));

        Assert.Equal(280, gift.Gift.Message!.Length);
    }

    [Fact]
    public async Task Create_ReservedIdempotencyKey_400AndNothingHeld()
    {
        var sender = await FundedUserAsync(100);

        var problem = await ProblemAnswer.ReadAsync(await CreateAsync(sender, new { amount = 5 }, "mf:gift:steal"));

        Assert.Equal((400, "invalid_idempotency_key"), (problem.Status, problem.Code));
        Assert.Equal((100L, 100L), await CreditsOfAsync(sender));
    }

    [Fact]
    public async Task Create_Anonymous_401Problem()
    {
        var response = await App.Client().PostAsJsonAsync("/api/credits/gifts", new { amount = 5 });

        Assert.Equal((401, "unauthenticated"), ((int)response.StatusCode, (await ProblemAnswer.ReadAsync(response)).Code));
    }
}

public sealed class SqliteCreateGiftEndpointTests(SqliteCreditsDatabase database) : CreateGiftEndpointTests<SqliteCreditsDatabase>(database);

public sealed class PostgresCreateGiftEndpointTests(PostgresCreditsDatabase database) : CreateGiftEndpointTests<PostgresCreditsDatabase>(database);
