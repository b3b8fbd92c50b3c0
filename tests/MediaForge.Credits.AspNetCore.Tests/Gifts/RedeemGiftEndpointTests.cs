using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MediaForge.Credits.AspNetCore.Tests.Infrastructure;
using MediaForge.Credits.Tests.Infrastructure;

namespace MediaForge.Credits.AspNetCore.Tests.Gifts;

/// <summary><c>POST /api/credits/gifts/redeem</c>: credits move once; every code that redeems nothing gets one answer; a rate limit per user.</summary>
public abstract class RedeemGiftEndpointTests<TDatabase>(TDatabase database) : GiftAppTests<TDatabase>(database)
    where TDatabase : CreditsDatabase
{
    /// <summary>What a client can tell two refusals apart by: status, type, title, detail, code and headers.</summary>
    private static async Task<string> ShapeAsync(HttpResponseMessage response)
    {
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var fields = problem.RootElement.EnumerateObject().Where(p => p.Name != "traceId").Select(p => $"{p.Name}={p.Value}");
        return $"{(int)response.StatusCode} {response.Headers.RetryAfter} {string.Join(";", fields)}";
    }

    [Fact]
    public async Task Redeem_ValidCode_MovesTheCreditsFromSenderToRecipient()
    {
        var sender = await FundedUserAsync(100);
        var recipient = NewUser();
        var gift = await GiveAsync(sender, 30, "For you");

        var response = await RedeemAsync(recipient, gift.Code);
        var body = (await response.Content.ReadFromJsonAsync<CreditGiftResponse>())!;

        Assert.Equal((HttpStatusCode.OK, CreditGiftStatus.Redeemed, 30L, "For you"), (response.StatusCode, body.Status, body.RedeemedAmount, body.Message));
        Assert.Equal(((70L, 70L), (30L, 30L)), (await CreditsOfAsync(sender), await CreditsOfAsync(recipient)));
    }

    [Fact]
    public async Task Redeem_CodeWithLowerCaseAndSpaces_Redeems()
    {
        var sender = await FundedUserAsync(100);
        var gift = await GiveAsync(sender, 10);

        var response = await RedeemAsync(NewUser(), "  " + gift.Code.ToLowerInvariant() + " ");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Redeem_UnknownUsedCancelledOverlongAndMalformedCodes_OneIdenticalAnswer()
    {
        var sender = await FundedUserAsync(100);
        var used = await GiveAsync(sender, 10);
        (await RedeemAsync(NewUser(), used.Code)).EnsureSuccessStatusCode();
        var cancelled = await GiveAsync(sender, 10);
        (await App.Client(sender).DeleteAsync($"/api/credits/gifts/{cancelled.Gift.Id}")).EnsureSuccessStatusCode();
        var unknown = new string('A', used.Code.Length);

        var shapes = new List<string>();
        foreach (var code in new[] { unknown, used.Code, cancelled.Code, new string('B', 65), "not a code!" })
        {
            shapes.Add(await ShapeAsync(await RedeemAsync(NewUser(), code)));
        }

        Assert.Single(shapes.Distinct());
        Assert.StartsWith("404  ", shapes[0], StringComparison.Ordinal);
        Assert.Contains("code=invalid_gift_code", shapes[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Redeem_TheSecondTimeBySameRecipient_GenericAnswerAndNoSecondMove()
    {
        var sender = await FundedUserAsync(100);
        var recipient = NewUser();
        var gift = await GiveAsync(sender, 30);
        (await RedeemAsync(recipient, gift.Code)).EnsureSuccessStatusCode();

        var again = await ProblemAnswer.ReadAsync(await RedeemAsync(recipient, gift.Code));

        Assert.Equal((404, "invalid_gift_code"), (again.Status, again.Code));
        Assert.Equal((30L, 30L), await CreditsOfAsync(recipient));
    }

    [Fact]
    public async Task Redeem_TwentyConcurrentRedemptionsOfOneCode_OneSucceedsAndNoCreditIsMinted()
    {
        var sender = await FundedUserAsync(100);
        var gift = await GiveAsync(sender, 40);
        var recipients = Enumerable.Range(0, 20).Select(_ => NewUser()).ToList();
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var attempts = recipients.Select(r => Task.Run(async () =>
        {
            await start.Task;
            return (await RedeemAsync(r, gift.Code)).StatusCode;
        })).ToList();
        start.SetResult();
        var statuses = await Task.WhenAll(attempts);

        Assert.Equal(1, statuses.Count(s => s == HttpStatusCode.OK));
        Assert.All(statuses.Where(s => s != HttpStatusCode.OK), s => Assert.Equal(HttpStatusCode.NotFound, s));
        var balances = await Task.WhenAll(recipients.Append(sender).Select(BalanceOfAsync));
        Assert.Equal(100L, balances.Sum(b => b.Balance));
        foreach (var user in recipients.Append(sender))
        {
            var (balance, ledger, _) = await Database.ReadLedgerAsync(user, App.Services);
            Assert.Equal(balance, ledger);
        }
    }

    [Fact]
    public async Task Redeem_OwnGift_422OwnGiftAndNothingMoves()
    {
        var sender = await FundedUserAsync(100);
        var gift = await GiveAsync(sender, 30);

        var problem = await ProblemAnswer.ReadAsync(await RedeemAsync(sender, gift.Code));

        Assert.Equal((422, "own_gift"), (problem.Status, problem.Code));
        Assert.Equal((100L, 70L), await CreditsOfAsync(sender));
    }

    [Fact]
    public async Task Redeem_PastTheAttemptsOfTheWindow_429WithRetryAfterEvenForAGoodCode()
    {
        var sender = await FundedUserAsync(100);
        var gift = await GiveAsync(sender, 30);
        var guesser = NewUser();
        for (var i = 0; i < RedeemAttempts; i++)
        {
            Assert.Equal(HttpStatusCode.NotFound, (await RedeemAsync(guesser, $"WRONG{i}")).StatusCode);
        }

        var limited = await RedeemAsync(guesser, gift.Code);

        Assert.Equal((429, "gift_redeem_rate_limited"), ((int)limited.StatusCode, (await ProblemAnswer.ReadAsync(limited)).Code));
        Assert.InRange(limited.Headers.RetryAfter!.Delta!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1));
        Assert.Equal((0L, 0L), await CreditsOfAsync(guesser));
        Assert.Equal(HttpStatusCode.OK, (await RedeemAsync(NewUser(), gift.Code)).StatusCode);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("{\"code\":\"\"}")]
    [InlineData("{\"code\":\"   \"}")]
    public async Task Redeem_NoCode_400GiftCodeRequired(string json)
    {
        var response = await App.Client(NewUser()).PostAsync("/api/credits/gifts/redeem", new StringContent(json, Encoding.UTF8, "application/json"));

        Assert.Equal((400, "gift_code_required"), ((int)response.StatusCode, (await ProblemAnswer.ReadAsync(response)).Code));
    }

    [Fact]
    public async Task Redeem_Anonymous_401AndTheGiftStaysRedeemable()
    {
        var sender = await FundedUserAsync(100);
        var gift = await GiveAsync(sender, 30);

        var anonymous = await App.Client().PostAsJsonAsync("/api/credits/gifts/redeem", new { code = gift.Code });

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await RedeemAsync(NewUser(), gift.Code)).StatusCode);
    }
}

public sealed class SqliteRedeemGiftEndpointTests(SqliteCreditsDatabase database) : RedeemGiftEndpointTests<SqliteCreditsDatabase>(database);

public sealed class PostgresRedeemGiftEndpointTests(PostgresCreditsDatabase database) : RedeemGiftEndpointTests<PostgresCreditsDatabase>(database);
