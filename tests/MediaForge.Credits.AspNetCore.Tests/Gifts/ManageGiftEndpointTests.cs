using System.Net;
using System.Net.Http.Json;
using MediaForge.Credits.AspNetCore.Tests.Infrastructure;
using MediaForge.Credits.Tests.Infrastructure;

namespace MediaForge.Credits.AspNetCore.Tests.Gifts;

/// <summary><c>GET /api/credits/gifts</c>, <c>DELETE /api/credits/gifts/{id}</c> and <c>POST /api/credits/gifts/{id}/code</c>.</summary>
public abstract class ManageGiftEndpointTests<TDatabase>(TDatabase database) : GiftAppTests<TDatabase>(database)
    where TDatabase : CreditsDatabase
{
    private Task<HttpResponseMessage> CancelAsync(string user, object id) => App.Client(user).DeleteAsync($"/api/credits/gifts/{id}");

    private Task<HttpResponseMessage> ReissueAsync(string user, object id) => App.Client(user).PostAsync($"/api/credits/gifts/{id}/code", null);

    [Fact]
    public async Task Cancel_PendingGift_TheCreditsAreSpendableAgain()
    {
        var sender = await FundedUserAsync(100);
        var gift = await GiveAsync(sender, 30);

        var response = await CancelAsync(sender, gift.Gift.Id);

        Assert.Equal((HttpStatusCode.OK, CreditGiftStatus.Cancelled), (response.StatusCode, (await response.Content.ReadFromJsonAsync<CreditGiftResponse>())!.Status));
        Assert.Equal((100L, 100L), await CreditsOfAsync(sender));
    }

    [Fact]
    public async Task Cancel_Twice_409GiftNotPendingAndReleasedOnce()
    {
        var sender = await FundedUserAsync(100);
        var gift = await GiveAsync(sender, 30);
        (await CancelAsync(sender, gift.Gift.Id)).EnsureSuccessStatusCode();

        var again = await ProblemAnswer.ReadAsync(await CancelAsync(sender, gift.Gift.Id));

        Assert.Equal((409, "gift_not_pending"), (again.Status, again.Code));
        Assert.Equal((100L, 100L), await CreditsOfAsync(sender));
    }

    [Fact]
    public async Task Cancel_RacingTheRedemption_ExactlyOneWinsAndNoCreditIsMinted()
    {
        var sender = await FundedUserAsync(100);
        var recipient = NewUser();
        var gift = await GiveAsync(sender, 30);
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var cancel = Task.Run(async () => { await start.Task; return (await CancelAsync(sender, gift.Gift.Id)).StatusCode; });
        var redeem = Task.Run(async () => { await start.Task; return (await RedeemAsync(recipient, gift.Code)).StatusCode; });
        start.SetResult();
        var (cancelled, redeemed) = (await cancel, await redeem);

        Assert.True((cancelled == HttpStatusCode.OK) != (redeemed == HttpStatusCode.OK), $"cancel {cancelled}, redeem {redeemed}");
        var (senderCredits, recipientCredits) = (await CreditsOfAsync(sender), await CreditsOfAsync(recipient));
        Assert.Equal(redeemed == HttpStatusCode.OK ? ((70L, 70L), (30L, 30L)) : ((100L, 100L), (0L, 0L)), (senderCredits, recipientCredits));
    }

    [Fact]
    public async Task Cancel_AnotherUsersGift_404GiftNotFoundAndTheGiftStays()
    {
        var sender = await FundedUserAsync(100);
        var gift = await GiveAsync(sender, 30);

        var problem = await ProblemAnswer.ReadAsync(await CancelAsync(NewUser(), gift.Gift.Id));

        Assert.Equal((404, "gift_not_found"), (problem.Status, problem.Code));
        Assert.Equal((100L, 70L), await CreditsOfAsync(sender));
    }

    [Theory]
    [InlineData("not-a-guid")]
    [InlineData("00000000-0000-0000-0000-000000000000")]
    [InlineData("%F0%9F%8E%81")]
    [InlineData("9f1c2d4e-1b2a-4c3d-8e9f-0a1b2c3d4e5f9f1c2d4e-1b2a-4c3d-8e9f-0a1b2c3d4e5f")]
    public async Task CancelAndReissue_MalformedOrUnknownId_404GiftNotFound(string id)
    {
        var user = await FundedUserAsync(10);

        var cancel = await ProblemAnswer.ReadAsync(await CancelAsync(user, id));
        var reissue = await ProblemAnswer.ReadAsync(await ReissueAsync(user, id));

        Assert.Equal(((404, "gift_not_found"), (404, "gift_not_found")), ((cancel.Status, cancel.Code), (reissue.Status, reissue.Code)));
    }

    [Fact]
    public async Task Reissue_PendingGift_ANewCodeRedeemsAndTheOldOneDoesNot()
    {
        var sender = await FundedUserAsync(100);
        var gift = await GiveAsync(sender, 30);

        var reissued = (await (await ReissueAsync(sender, gift.Gift.Id)).Content.ReadFromJsonAsync<CreditGiftCodeResponse>())!;

        Assert.NotEqual(gift.Code, reissued.Code);
        Assert.Equal($"{PublicBase}/gift?gift={Uri.EscapeDataString(reissued.Code)}", reissued.Link);
        Assert.Equal(HttpStatusCode.NotFound, (await RedeemAsync(NewUser(), gift.Code)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await RedeemAsync(NewUser(), reissued.Code)).StatusCode);
    }

    [Fact]
    public async Task Reissue_RedeemedGift_409GiftNotPending()
    {
        var sender = await FundedUserAsync(100);
        var gift = await GiveAsync(sender, 30);
        (await RedeemAsync(NewUser(), gift.Code)).EnsureSuccessStatusCode();

        var problem = await ProblemAnswer.ReadAsync(await ReissueAsync(sender, gift.Gift.Id));

        Assert.Equal((409, "gift_not_pending"), (problem.Status, problem.Code));
    }

    [Fact]
    public async Task Reissue_AnotherUsersGift_404AndTheCodeStillWorks()
    {
        var sender = await FundedUserAsync(100);
        var gift = await GiveAsync(sender, 30);

        Assert.Equal(HttpStatusCode.NotFound, (await ReissueAsync(NewUser(), gift.Gift.Id)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await RedeemAsync(NewUser(), gift.Code)).StatusCode);
    }

    [Fact]
    public async Task List_SentAndReceived_WithoutCodesOrTheOtherUsersId()
    {
        var sender = await FundedUserAsync(100);
        var recipient = NewUser();
        var redeemed = await GiveAsync(sender, 30, "Cheers");
        var pending = await GiveAsync(sender, 20);
        (await RedeemAsync(recipient, redeemed.Code)).EnsureSuccessStatusCode();

        var sent = await App.Client(sender).GetStringAsync("/api/credits/gifts");
        var received = await App.Client(recipient).GetStringAsync("/api/credits/gifts");

        var (mine, theirs) = (System.Text.Json.JsonSerializer.Deserialize<CreditGiftsResponse>(sent, System.Text.Json.JsonSerializerOptions.Web)!,
            System.Text.Json.JsonSerializer.Deserialize<CreditGiftsResponse>(received, System.Text.Json.JsonSerializerOptions.Web)!);
        Assert.Equal([pending.Gift.Id, redeemed.Gift.Id], mine.Sent.Select(g => g.Id));
        Assert.Empty(theirs.Sent);
        Assert.Equal([redeemed.Gift.Id], theirs.Received.Select(g => g.Id));
        Assert.Equal("Cheers", theirs.Received[0].Message);
        foreach (var secret in new[] { redeemed.Code, pending.Code, recipient })
        {
            Assert.DoesNotContain(secret, sent, StringComparison.Ordinal);
        }

        Assert.DoesNotContain(sender, received, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_Anonymous_401()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await App.Client().GetAsync("/api/credits/gifts")).StatusCode);
    }
}

public sealed class SqliteManageGiftEndpointTests(SqliteCreditsDatabase database) : ManageGiftEndpointTests<SqliteCreditsDatabase>(database);

public sealed class PostgresManageGiftEndpointTests(PostgresCreditsDatabase database) : ManageGiftEndpointTests<PostgresCreditsDatabase>(database);
