using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using MediaForge.Credits.AspNetCore.Tests.Infrastructure;
using MediaForge.Credits.Tests.Infrastructure;

namespace MediaForge.Credits.AspNetCore.Tests.Referrals;

/// <summary>Clerk <c>user.created</c> with <c>unsafe_metadata.referral_code</c>: attached once, a bad code never fails the webhook.</summary>
public abstract class ClerkReferralTests<TDatabase>(TDatabase database) : ReferralAppTests<TDatabase>(database)
    where TDatabase : CreditsDatabase
{
    private static HttpRequestMessage Created(string user, JsonNode? code, string? messageId = null)
    {
        var root = JsonNode.Parse(WebhookPayloads.ClerkUserEvent("user.created", user, email: $"{user}@example.com"))!.AsObject();
        root["data"]!["unsafe_metadata"] = new JsonObject { ["referral_code"] = code };
        return WebhookPayloads.ClerkRequest(root.ToJsonString(), messageId);
    }

    private async Task<string?> OutcomeAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("outcome").GetString();
    }

    [Fact]
    public async Task UserCreated_WithAReferralCode_AttachesAndGrantsTheBonus()
    {
        var referee = NewUser();
        var code = await CodeOfAsync(NewUser());

        var outcome = await OutcomeAsync(await App.Client().SendAsync(Created(referee, code)));

        Assert.Equal("created, referral attached", outcome);
        Assert.Equal(10, await App.BalanceAsync(referee));
    }

    [Fact]
    public async Task UserCreated_DeliveredAgainWithAnotherMessageId_BonusOnce()
    {
        var referee = NewUser();
        var code = await CodeOfAsync(NewUser());

        await App.Client().SendAsync(Created(referee, code));
        var again = await OutcomeAsync(await App.Client().SendAsync(Created(referee, code)));

        Assert.Equal("created, referral already_attached", again);
        Assert.Equal(10, await App.BalanceAsync(referee));
    }

    [Theory]
    [InlineData("NOTACODE99")]
    [InlineData("x")]
    public async Task UserCreated_UnknownCode_AcknowledgedAndNothingGranted(string code)
    {
        var referee = NewUser();

        var outcome = await OutcomeAsync(await App.Client().SendAsync(Created(referee, code)));

        Assert.Equal("created, referral unknown_code", outcome);
        Assert.Equal(0, await App.BalanceAsync(referee));
    }

    [Fact]
    public async Task UserCreated_HostileReferralCodes_AcknowledgedAsPlainCreations()
    {
        foreach (var code in new JsonNode?[] { new string('A', 100_000), 42, new JsonArray(), new JsonObject { ["a"] = 1 }, null })
        {
            var referee = NewUser();

            var outcome = await OutcomeAsync(await App.Client().SendAsync(Created(referee, code)));

            Assert.Equal("created", outcome);
            Assert.Equal(0, await App.BalanceAsync(referee));
        }
    }

    [Fact]
    public async Task UserCreated_ReferrersOwnEmailOnTheNewAccount_SelfReferralAndNoBonus()
    {
        var referrer = NewUser();
        var root = JsonNode.Parse(WebhookPayloads.ClerkUserEvent("user.created", referrer, email: $"{referrer}@example.com"))!.AsObject();
        await App.Client().SendAsync(WebhookPayloads.ClerkRequest(root.ToJsonString()));
        var code = await CodeOfAsync(referrer);
        var referee = NewUser();
        var created = JsonNode.Parse(WebhookPayloads.ClerkUserEvent("user.created", referee, email: $"{referrer}+alt@EXAMPLE.com"))!.AsObject();
        created["data"]!["unsafe_metadata"] = new JsonObject { ["referral_code"] = code };

        var outcome = await OutcomeAsync(await App.Client().SendAsync(WebhookPayloads.ClerkRequest(created.ToJsonString())));

        Assert.Equal("created, referral self_referral", outcome);
        Assert.Equal(0, await App.BalanceAsync(referee));
    }
}

public sealed class SqliteClerkReferralTests(SqliteCreditsDatabase database) : ClerkReferralTests<SqliteCreditsDatabase>(database);

public sealed class PostgresClerkReferralTests(PostgresCreditsDatabase database) : ClerkReferralTests<PostgresCreditsDatabase>(database);
