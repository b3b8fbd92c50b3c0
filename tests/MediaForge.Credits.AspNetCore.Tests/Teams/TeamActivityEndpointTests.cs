using System.Net.Http.Json;
using System.Text.Json;
using MediaForge.Credits.AspNetCore.Tests.Infrastructure;
using MediaForge.Credits.Tests.Infrastructure;

namespace MediaForge.Credits.AspNetCore.Tests.Teams;

/// <summary>
/// <c>GET /api/credits/admin/teams/{teamId}/activity</c>, the dashboard's team view: the wallet, members with their
/// period spend and limit and the credits each bought for the team, and credits in and out over time (admin only).
/// </summary>
public abstract class TeamActivityEndpointTests<TDatabase>(TDatabase database) : TeamAppTests<TDatabase>(database)
    where TDatabase : CreditsDatabase
{
    private async Task<JsonElement> ActivityAsync(string teamId) =>
        await App.Client("admin", admin: true).GetFromJsonAsync<JsonElement>($"/api/credits/admin/teams/{teamId}/activity");

    /// <summary>A Pro purchase (200 credits) for the team by <paramref name="buyer"/>, fulfilled by the signed webhook.</summary>
    private async Task BuyAsync(string teamId, string buyer)
    {
        var response = await App.Client(buyer).PostAsJsonAsync("/api/stripe/create-checkout-session", new { packageId = "pro", teamId });
        var sessionId = (await response.Content.ReadFromJsonAsync<CheckoutSessionResponse>())!.SessionId!;
        var metadata = App.Stripe.CreateRequests.Last().Where(f => f.Key.StartsWith("metadata[", StringComparison.Ordinal))
            .ToDictionary(f => f.Key["metadata[".Length..^1], f => f.Value);
        (await App.Client().SendAsync(WebhookPayloads.StripeRequest(
            WebhookPayloads.StripeSessionEvent("checkout.session.completed", sessionId, 2999, "usd", "paid", metadata)))).EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task Activity_TeamWithPurchasesByTwoMembers_CreditsBoughtPerMemberAndTheWallet()
    {
        var team = await TeamAsync();
        await BuyAsync(team.TeamId, team.Owner);
        await BuyAsync(team.TeamId, team.Owner);
        await BuyAsync(team.TeamId, team.Admin);

        var report = await ActivityAsync(team.TeamId);

        Assert.Equal((600L, "Render crew"), (report.GetProperty("balance").GetInt64(), report.GetProperty("team").GetProperty("name").GetString()));
        var bought = report.GetProperty("members").EnumerateArray()
            .ToDictionary(m => m.GetProperty("userId").GetString()!, m => (m.GetProperty("purchases").GetInt32(), m.GetProperty("creditsBought").GetInt64()));
        Assert.Equal((2, 400L), bought[team.Owner]);
        Assert.Equal((1, 200L), bought[team.Admin]);
        Assert.Equal((0, 0L), bought[team.Member]);
    }

    [Fact]
    public async Task Activity_LedgerOfTheRange_CreditsInPerBucket()
    {
        var team = await TeamAsync();
        await FundAsync(team.TeamId, 30);
        await FundAsync(team.TeamId, 12);

        var series = (await ActivityAsync(team.TeamId)).GetProperty("series").EnumerateArray().ToList();

        var today = Assert.Single(series);
        Assert.Equal((42L, 0L), (today.GetProperty("creditsIn").GetInt64(), today.GetProperty("creditsOut").GetInt64()));
    }

    [Fact]
    public async Task Activity_MemberCounter_ShownAsSpendThisPeriod()
    {
        var team = await TeamAsync();
        await SpendCounterAsync(team.TeamId, team.Member, 33, ThisMonth());

        var report = await ActivityAsync(team.TeamId);

        var member = report.GetProperty("members").EnumerateArray().Single(m => m.GetProperty("userId").GetString() == team.Member);
        Assert.Equal(33L, member.GetProperty("spentThisPeriod").GetInt64());
    }

    [Fact]
    public async Task Activity_TwoMembersSpendFromTheWallet_SpendPerMemberPerBucket()
    {
        var team = await TeamAsync();
        await FundAsync(team.TeamId, 100);
        foreach (var (member, model) in new[] { (team.Member, "hailuo"), (team.Member, "default"), (team.Admin, "veo2") })
        {
            var feature = model == "default" ? "image-generation" : "video-generation";
            var spent = await App.WithServiceAsync<CreditDeductionResult, ICreditService>(c => c.DeductCreditsAsync(member, feature, model, wallet: CreditWallet.Team(team.TeamId)));
            Assert.True(spent.Success);
        }

        var points = (await ActivityAsync(team.TeamId)).GetProperty("memberSeries").EnumerateArray()
            .ToDictionary(p => p.GetProperty("userId").GetString()!, p => p.GetProperty("credits").GetInt64());

        Assert.Equal(new Dictionary<string, long> { [team.Member] = 8 + 3, [team.Admin] = 15 }, points);
    }

    [Fact]
    public async Task Activity_UnknownTeam_404()
    {
        var response = await App.Client("admin", admin: true).GetAsync("/api/credits/admin/teams/org_unknown/activity");

        Assert.Equal((404, "team_not_found"), ((int)response.StatusCode, (await ProblemAnswer.ReadAsync(response)).Code));
    }

    [Fact]
    public async Task Activity_AsATeamOwnerWithoutTheAdminRole_403()
    {
        var team = await TeamAsync();

        var response = await App.Client(team.Owner).GetAsync($"/api/credits/admin/teams/{team.TeamId}/activity");

        Assert.Equal(403, (int)response.StatusCode);
    }
}

public sealed class SqliteTeamActivityEndpointTests(SqliteCreditsDatabase database) : TeamActivityEndpointTests<SqliteCreditsDatabase>(database);

public sealed class PostgresTeamActivityEndpointTests(PostgresCreditsDatabase database) : TeamActivityEndpointTests<PostgresCreditsDatabase>(database);
