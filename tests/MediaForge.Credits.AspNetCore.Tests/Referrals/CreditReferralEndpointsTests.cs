using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MediaForge.Credits.AspNetCore.Tests.Infrastructure;
using MediaForge.Credits.Tests.Infrastructure;

namespace MediaForge.Credits.AspNetCore.Tests.Referrals;

/// <summary><c>GET /api/credits/referrals</c> and <c>POST /api/credits/referrals/attach</c>: identity from the principal, problems for refusals.</summary>
public abstract class CreditReferralEndpointsTests<TDatabase>(TDatabase database) : ReferralAppTests<TDatabase>(database)
    where TDatabase : CreditsDatabase
{
    [Fact]
    public async Task GetReferrals_SignedIn_CodeAndAbsoluteLinkFromTheConfiguredAddressNotTheHost()
    {
        var user = NewUser();
        var client = App.Client(user);
        client.DefaultRequestHeaders.Host = "evil.example.net";

        var body = await client.GetFromJsonAsync<JsonElement>("/api/credits/referrals");

        var code = body.GetProperty("code").GetString()!;
        Assert.Equal($"{PublicBase}/sign-up?ref={code}", body.GetProperty("link").GetString());
        Assert.Equal((0, 0L), (body.GetProperty("referred").GetInt32(), body.GetProperty("rewardsEarned").GetInt64()));
        Assert.Equal(code, await CodeOfAsync(user));
    }

    [Fact]
    public async Task GetReferrals_AfterAReferralAndItsReward_CountsByStatusWithoutTheRefereesData()
    {
        var referrer = NewUser();
        var referee = NewUser();
        var code = await CodeOfAsync(referrer);
        (await App.Client(referee).PostAsJsonAsync("/api/credits/referrals/attach", new { code })).EnsureSuccessStatusCode();

        var text = await App.Client(referrer).GetStringAsync("/api/credits/referrals");

        using var body = JsonDocument.Parse(text);
        Assert.Equal(1, body.RootElement.GetProperty("referred").GetInt32());
        Assert.Equal(1, body.RootElement.GetProperty("statuses").GetProperty("Attached").GetInt32());
        Assert.DoesNotContain(referee, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Attach_ValidCode_OkWithTheBonusOnceEvenWhenRepeated()
    {
        var referee = NewUser();
        var code = await CodeOfAsync(NewUser());

        var first = await App.Client(referee).PostAsJsonAsync("/api/credits/referrals/attach", new { code });
        var second = await App.Client(referee).PostAsJsonAsync("/api/credits/referrals/attach", new { code });

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (first.StatusCode, second.StatusCode));
        Assert.Equal("Attached", (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("outcome").GetString());
        Assert.Equal("AlreadyAttached", (await second.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("outcome").GetString());
        Assert.Equal(10, await App.BalanceAsync(referee));
    }

    [Fact]
    public async Task Attach_Refusals_ProblemsWithStableCodes()
    {
        var user = NewUser();
        var own = await CodeOfAsync(user);
        var other = await CodeOfAsync(NewUser());
        var client = App.Client(user);

        var self = await ProblemAnswer.ReadAsync(await client.PostAsJsonAsync("/api/credits/referrals/attach", new { code = own }));
        var unknown = await ProblemAnswer.ReadAsync(await client.PostAsJsonAsync("/api/credits/referrals/attach", new { code = "ZZZZZZZZZZ" }));
        (await client.PostAsJsonAsync("/api/credits/referrals/attach", new { code = other })).EnsureSuccessStatusCode();
        var again = await ProblemAnswer.ReadAsync(await client.PostAsJsonAsync("/api/credits/referrals/attach", new { code = await CodeOfAsync(NewUser()) }));

        Assert.Equal((422, "self_referral"), (self.Status, self.Code));
        Assert.Equal((404, "unknown_referral_code"), (unknown.Status, unknown.Code));
        Assert.Equal((409, "already_referred"), (again.Status, again.Code));
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("{\"code\":\"\"}")]
    [InlineData("{\"code\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"}")]
    public async Task Attach_MissingOrOverlongCode_400InvalidReferralCode(string json)
    {
        var response = await App.Client(NewUser()).PostAsync("/api/credits/referrals/attach", new StringContent(json, Encoding.UTF8, "application/json"));

        Assert.Equal((400, "invalid_referral_code"), ((await ProblemAnswer.ReadAsync(response)).Status, (await ProblemAnswer.ReadAsync(response)).Code));
    }

    [Fact]
    public async Task Referrals_Anonymous_401()
    {
        var response = await App.Client().GetAsync("/api/credits/referrals");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}

public sealed class SqliteCreditReferralEndpointsTests(SqliteCreditsDatabase database) : CreditReferralEndpointsTests<SqliteCreditsDatabase>(database);

public sealed class PostgresCreditReferralEndpointsTests(PostgresCreditsDatabase database) : CreditReferralEndpointsTests<PostgresCreditsDatabase>(database);
