using System.Net;
using System.Net.Http.Json;
using MediaForge.Credits.AspNetCore.Tests.Infrastructure;
using MediaForge.Credits.Tests.Infrastructure;

namespace MediaForge.Credits.AspNetCore.Tests.Teams;

/// <summary><c>GET /api/credits/teams</c>, <c>{id}/balance</c>, <c>{id}/members</c> and <c>{id}/history</c>: who may read what.</summary>
public abstract class TeamReadEndpointTests<TDatabase>(TDatabase database) : TeamAppTests<TDatabase>(database)
    where TDatabase : CreditsDatabase
{
    private Task<HttpResponseMessage> GetAsync(string? user, string path) => App.Client(user).GetAsync(path);

    [Fact]
    public async Task GetTeams_MemberOfTwoTeams_ListsBothWithTheirRole()
    {
        var first = await TeamAsync();
        var second = await TeamAsync();
        Assert.True((await TeamsAsync(t => t.AddMemberAsync(second.TeamId, second.Owner, first.Member, CreditTeamRole.Admin))).Success);

        var answer = (await App.Client(first.Member).GetFromJsonAsync<CreditTeamsResponse>("/api/credits/teams"))!;

        var expected = new[] { (first.TeamId, CreditTeamRole.Member), (second.TeamId, CreditTeamRole.Admin) }.OrderBy(t => t.TeamId, StringComparer.Ordinal);
        Assert.Equal(expected, answer.Teams.Select(t => (t.Id, t.Role)));
        Assert.All(answer.Teams, t => Assert.Equal(("Render crew", CreditTeamStatus.Active), (t.Name, t.Status)));
    }

    [Fact]
    public async Task GetTeams_SecondPageOfTwo_TheThirdTeamByIdAndTheTotal()
    {
        var first = await TeamAsync();
        var teams = new List<string> { first.TeamId };
        for (var i = 0; i < 2; i++)
        {
            var other = await TeamAsync();
            Assert.True((await TeamsAsync(t => t.AddMemberAsync(other.TeamId, other.Owner, first.Member))).Success);
            teams.Add(other.TeamId);
        }

        var answer = (await App.Client(first.Member).GetFromJsonAsync<CreditTeamsResponse>("/api/credits/teams?page=2&pageSize=2"))!;

        Assert.Equal([teams.Order(StringComparer.Ordinal).Last()], answer.Teams.Select(t => t.Id));
        Assert.Equal((2, 2, 3L), (answer.Page, answer.PageSize, answer.TotalCount));
    }

    [Theory]
    [InlineData("page=0")]
    [InlineData("pageSize=501")]
    [InlineData("page=abc")]
    public async Task GetTeams_PageOutOfBounds_400InvalidPage(string query)
    {
        var team = await TeamAsync();

        var response = await GetAsync(team.Member, "/api/credits/teams?" + query);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_page", (await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("code").GetString());
    }

    [Fact]
    public async Task GetTeams_UserInNoTeam_EmptyList()
    {
        var answer = (await App.Client(NewUser("alone")).GetFromJsonAsync<CreditTeamsResponse>("/api/credits/teams"))!;

        Assert.Empty(answer.Teams);
    }

    [Fact]
    public async Task GetTeams_Anonymous_401()
    {
        var response = await GetAsync(null, "/api/credits/teams");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory]
    [InlineData("owner", CreditTeamRole.Owner)]
    [InlineData("admin", CreditTeamRole.Admin)]
    [InlineData("member", CreditTeamRole.Member)]
    public async Task GetBalance_AnyMember_TheWalletsBalanceAndTheirRole(string role, CreditTeamRole expected)
    {
        var team = await TeamAsync();
        await FundAsync(team.TeamId, 120);

        var answer = (await App.Client(team.Of(role)).GetFromJsonAsync<CreditTeamBalanceResponse>($"/api/credits/teams/{team.TeamId}/balance"))!;

        Assert.Equal((team.TeamId, "Render crew", expected, 120L, 120L), (answer.TeamId, answer.Name, answer.Role, answer.Balance, answer.Available));
    }

    [Fact]
    public async Task GetBalance_NonMember_SameAnswerAsAnUnknownTeam()
    {
        var team = await TeamAsync();
        await FundAsync(team.TeamId, 50);

        var foreign = await ProblemAnswer.ReadAsync(await GetAsync(team.Outsider, $"/api/credits/teams/{team.TeamId}/balance"));
        var unknown = await ProblemAnswer.ReadAsync(await GetAsync(team.Outsider, "/api/credits/teams/org_does_not_exist/balance"));

        Assert.Equal((404, "team_not_found"), (foreign.Status, foreign.Code));
        Assert.Equal(unknown, foreign);
    }

    [Fact]
    public async Task GetBalance_MemberRemovedAMomentAgo_404()
    {
        var team = await TeamAsync();
        Assert.True((await TeamsAsync(t => t.RemoveMemberAsync(team.TeamId, team.Owner, team.Member))).Success);

        var response = await GetAsync(team.Member, $"/api/credits/teams/{team.TeamId}/balance");

        Assert.Equal((404, "team_not_found"), ((int)response.StatusCode, (await ProblemAnswer.ReadAsync(response)).Code));
    }

    [Fact]
    public async Task GetBalance_FrozenTeam_StillReadableByItsMembers()
    {
        var team = await TeamAsync();
        await FundAsync(team.TeamId, 30);
        await FreezeAsync(team.TeamId);

        var answer = (await App.Client(team.Member).GetFromJsonAsync<CreditTeamBalanceResponse>($"/api/credits/teams/{team.TeamId}/balance"))!;

        Assert.Equal((CreditTeamStatus.Frozen, 30L), (answer.Status, answer.Balance));
    }

    [Fact]
    public async Task GetBalance_Anonymous_401()
    {
        var team = await TeamAsync();

        var response = await GetAsync(null, $"/api/credits/teams/{team.TeamId}/balance");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory]
    [InlineData("owner")]
    [InlineData("admin")]
    public async Task GetMembers_OwnerOrAdmin_EveryoneWithSpendThisPeriodAndLimit(string role)
    {
        var team = await TeamAsync();
        Assert.True((await TeamsAsync(t => t.SetMemberLimitAsync(team.TeamId, team.Owner, team.Member, 40))).Success);
        await SpendCounterAsync(team.TeamId, team.Member, 15, ThisMonth());

        var answer = (await App.Client(team.Of(role)).GetFromJsonAsync<CreditTeamMembersResponse>($"/api/credits/teams/{team.TeamId}/members"))!;

        Assert.Equal(new[] { team.Owner, team.Admin, team.Member }.Order(StringComparer.Ordinal), answer.Members.Select(m => m.UserId));
        var member = answer.Members.Single(m => m.UserId == team.Member);
        Assert.Equal((CreditTeamRole.Member, 40L, 40L, 15L), (member.Role, member.Limit, member.EffectiveLimit, member.SpentThisPeriod));
    }

    [Fact]
    public async Task GetMembers_Member_OnlyTheirOwnRow()
    {
        var team = await TeamAsync();
        await SpendCounterAsync(team.TeamId, team.Member, 7, ThisMonth());

        var answer = (await App.Client(team.Member).GetFromJsonAsync<CreditTeamMembersResponse>($"/api/credits/teams/{team.TeamId}/members"))!;

        var row = Assert.Single(answer.Members);
        Assert.Equal((team.Member, CreditTeamRole.Member, 7L), (row.UserId, answer.Role, row.SpentThisPeriod));
    }

    [Fact]
    public async Task GetMembers_NonMember_404()
    {
        var team = await TeamAsync();

        var response = await GetAsync(team.Outsider, $"/api/credits/teams/{team.TeamId}/members");

        Assert.Equal((404, "team_not_found"), ((int)response.StatusCode, (await ProblemAnswer.ReadAsync(response)).Code));
    }

    [Theory]
    [InlineData("owner")]
    [InlineData("admin")]
    public async Task GetHistory_OwnerOrAdmin_TheWalletsLedgerNewestFirst(string role)
    {
        var team = await TeamAsync();
        await FundAsync(team.TeamId, 10);
        await FundAsync(team.TeamId, 25);

        var page = (await App.Client(team.Of(role)).GetFromJsonAsync<CreditPage<CreditLedgerEntry>>($"/api/credits/teams/{team.TeamId}/history"))!;

        Assert.Equal(2, page.TotalCount);
        Assert.Equal([(25L, 35L), (10L, 10L)], page.Items.Select(e => (e.Amount, e.BalanceAfter)));
    }

    [Fact]
    public async Task GetHistory_Member_403()
    {
        var team = await TeamAsync();
        await FundAsync(team.TeamId, 10);

        var response = await GetAsync(team.Member, $"/api/credits/teams/{team.TeamId}/history");

        Assert.Equal((403, "team_role_not_allowed"), ((int)response.StatusCode, (await ProblemAnswer.ReadAsync(response)).Code));
    }

    [Fact]
    public async Task GetHistory_NonMember_404()
    {
        var team = await TeamAsync();

        var response = await GetAsync(team.Outsider, $"/api/credits/teams/{team.TeamId}/history");

        Assert.Equal((404, "team_not_found"), ((int)response.StatusCode, (await ProblemAnswer.ReadAsync(response)).Code));
    }

    [Fact]
    public async Task GetHistory_PageAndPageSize_PagedAsTheUsersHistory()
    {
        var team = await TeamAsync();
        foreach (var amount in new long[] { 1, 2, 3 })
        {
            await FundAsync(team.TeamId, amount);
        }

        var page = (await App.Client(team.Owner).GetFromJsonAsync<CreditPage<CreditLedgerEntry>>($"/api/credits/teams/{team.TeamId}/history?page=2&pageSize=2"))!;

        Assert.Equal((2, 2, 3L), (page.Page, page.PageSize, page.TotalCount));
        Assert.Equal(1L, Assert.Single(page.Items).Amount);
    }

    [Theory]
    [InlineData("page=0")]
    [InlineData("pageSize=501")]
    [InlineData("page=abc")]
    public async Task GetHistory_PageOutOfBounds_400InvalidPage(string query)
    {
        var team = await TeamAsync();

        var response = await GetAsync(team.Owner, $"/api/credits/teams/{team.TeamId}/history?{query}");

        Assert.Equal((400, "invalid_page"), ((int)response.StatusCode, (await ProblemAnswer.ReadAsync(response)).Code));
    }
}

public sealed class SqliteTeamReadEndpointTests(SqliteCreditsDatabase database) : TeamReadEndpointTests<SqliteCreditsDatabase>(database);

public sealed class PostgresTeamReadEndpointTests(PostgresCreditsDatabase database) : TeamReadEndpointTests<PostgresCreditsDatabase>(database);
