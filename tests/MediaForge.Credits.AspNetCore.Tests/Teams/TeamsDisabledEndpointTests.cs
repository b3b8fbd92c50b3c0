using System.Net.Http.Json;
using MediaForge.Credits.AspNetCore.Tests.Infrastructure;
using MediaForge.Credits.Tests.Infrastructure;

namespace MediaForge.Credits.AspNetCore.Tests.Teams;

/// <summary>With teams off (the default), every team route, a team checkout and the dashboard's team report answer 404 <c>teams_disabled</c>.</summary>
public sealed class TeamsDisabledEndpointTests(SqliteCreditsDatabase database) : CreditsAppTests<SqliteCreditsDatabase>(database)
{
    public static TheoryData<string, string> Routes => new()
    {
        { "GET", "/api/credits/teams" },
        { "GET", "/api/credits/teams/org_1/balance" },
        { "GET", "/api/credits/teams/org_1/members" },
        { "PUT", "/api/credits/teams/org_1/members/user_1/limit" },
        { "GET", "/api/credits/teams/org_1/history" },
    };

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task TeamRoute_TeamsOff_404TeamsDisabled(string method, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = method == "PUT" ? JsonContent.Create(new { limit = 5 }) : null };

        var problem = await ProblemAnswer.ReadAsync(await App.Client(NewUser()).SendAsync(request));

        Assert.Equal((404, "teams_disabled"), (problem.Status, problem.Code));
    }

    [Fact]
    public async Task CreateCheckoutSession_ForATeamWhileTeamsOff_404TeamsDisabledAndNoSession()
    {
        var response = await App.Client(NewUser()).PostAsJsonAsync("/api/stripe/create-checkout-session", new { packageId = "pro", teamId = "org_1" });

        Assert.Equal((404, "teams_disabled"), ((int)response.StatusCode, (await ProblemAnswer.ReadAsync(response)).Code));
        Assert.Empty(App.Stripe.CreateRequests);
    }

    [Theory]
    [InlineData(true, null)]
    [InlineData(false, 2)]
    public async Task CreateCheckoutSession_ATeamsGiftOrVolumeWhileTeamsOff_404TeamsDisabledBeforeTheirOwnRefusal(bool gift, int? quantity)
    {
        var response = await App.Client(NewUser()).PostAsJsonAsync("/api/stripe/create-checkout-session", new { packageId = "pro", teamId = "org_1", gift, quantity });

        Assert.Equal((404, "teams_disabled"), ((int)response.StatusCode, (await ProblemAnswer.ReadAsync(response)).Code));
        Assert.Empty(App.Stripe.CreateRequests);
    }

    [Fact]
    public async Task AdminTeamActivity_TeamsOff_404TeamsDisabled()
    {
        var response = await App.Client("admin", admin: true).GetAsync("/api/credits/admin/teams/org_1/activity");

        Assert.Equal((404, "teams_disabled"), ((int)response.StatusCode, (await ProblemAnswer.ReadAsync(response)).Code));
    }
}
