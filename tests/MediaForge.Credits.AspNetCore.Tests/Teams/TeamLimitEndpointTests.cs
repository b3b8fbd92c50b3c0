using System.Net.Http.Json;
using System.Text;
using MediaForge.Credits.AspNetCore.Tests.Infrastructure;
using MediaForge.Credits.Tests.Infrastructure;

namespace MediaForge.Credits.AspNetCore.Tests.Teams;

/// <summary><c>PUT /api/credits/teams/{id}/members/{userId}/limit { limit }</c>: the service's rights, bounded input, nothing changed on refusal.</summary>
public abstract class TeamLimitEndpointTests<TDatabase>(TDatabase database) : TeamAppTests<TDatabase>(database)
    where TDatabase : CreditsDatabase
{
    private Task<HttpResponseMessage> PutAsync(string? actor, string teamId, string userId, string json) =>
        App.Client(actor).PutAsync($"/api/credits/teams/{teamId}/members/{Uri.EscapeDataString(userId)}/limit", new StringContent(json, Encoding.UTF8, "application/json"));

    private async Task<long?> LimitOfAsync(TeamCast team, string userId) =>
        (await TeamsAsync(t => t.GetMembersAsync(team.TeamId, team.Owner))).Members.Single(m => m.UserId == userId).Limit;

    [Theory]
    [InlineData("owner", "member")]
    [InlineData("owner", "admin")]
    [InlineData("owner", "owner")]
    [InlineData("admin", "member")]
    public async Task SetLimit_ActorWhoManagesTheTarget_200AndStored(string actor, string target)
    {
        var team = await TeamAsync();

        var response = await PutAsync(team.Of(actor), team.TeamId, team.Of(target), "{\"limit\":250}");

        var member = (await response.Content.ReadFromJsonAsync<CreditTeamMember>())!;
        Assert.Equal((team.Of(target), 250L, 250L), (member.UserId, member.Limit, member.EffectiveLimit));
        Assert.Equal(250L, await LimitOfAsync(team, team.Of(target)));
    }

    [Theory]
    [InlineData("admin", "admin")]
    [InlineData("admin", "owner")]
    [InlineData("member", "member")]
    [InlineData("member", "admin")]
    public async Task SetLimit_ActorWhoDoesNotManageTheTarget_403AndUnchanged(string actor, string target)
    {
        var team = await TeamAsync();

        var response = await PutAsync(team.Of(actor), team.TeamId, team.Of(target), "{\"limit\":1}");

        Assert.Equal((403, "team_role_not_allowed"), await ProblemAnswer.ReadCodeAsync(response));
        Assert.Null(await LimitOfAsync(team, team.Of(target)));
    }

    [Fact]
    public async Task SetLimit_MemberNamingSomeoneOutsideTheTeam_403NotWhetherTheyAreAMember()
    {
        var team = await TeamAsync();

        var response = await PutAsync(team.Member, team.TeamId, team.Outsider, "{\"limit\":1}");

        Assert.Equal((403, "team_role_not_allowed"), await ProblemAnswer.ReadCodeAsync(response));
    }

    [Fact]
    public async Task SetLimit_NonMember_404TeamNotFound()
    {
        var team = await TeamAsync();

        var response = await PutAsync(team.Outsider, team.TeamId, team.Member, "{\"limit\":1}");

        Assert.Equal((404, "team_not_found"), await ProblemAnswer.ReadCodeAsync(response));
        Assert.Null(await LimitOfAsync(team, team.Member));
    }

    [Fact]
    public async Task SetLimit_Anonymous_401()
    {
        var team = await TeamAsync();

        var response = await PutAsync(null, team.TeamId, team.Member, "{\"limit\":1}");

        Assert.Equal(401, (int)response.StatusCode);
    }

    [Fact]
    public async Task SetLimit_TargetNotInTheTeam_404TeamMemberNotFound()
    {
        var team = await TeamAsync();

        var response = await PutAsync(team.Owner, team.TeamId, team.Outsider, "{\"limit\":1}");

        Assert.Equal((404, "team_member_not_found"), await ProblemAnswer.ReadCodeAsync(response));
    }

    [Fact]
    public async Task SetLimit_Null_BackToTheTeamsDefault()
    {
        var team = await TeamAsync();
        Assert.True((await TeamsAsync(t => t.SetDefaultMemberLimitAsync(team.TeamId, team.Owner, 90))).Success);
        (await PutAsync(team.Owner, team.TeamId, team.Member, "{\"limit\":5}")).EnsureSuccessStatusCode();

        var member = (await (await PutAsync(team.Owner, team.TeamId, team.Member, "{\"limit\":null}")).Content.ReadFromJsonAsync<CreditTeamMember>())!;

        Assert.Equal(((long?)null, 90L), (member.Limit, member.EffectiveLimit));
    }

    [Fact]
    public async Task SetLimit_Zero_Accepted()
    {
        var team = await TeamAsync();

        var response = await PutAsync(team.Owner, team.TeamId, team.Member, "{\"limit\":0}");

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(0L, await LimitOfAsync(team, team.Member));
    }

    [Theory]
    [InlineData("{\"limit\":-1}", 400, "invalid_team_limit")]
    [InlineData("{\"limit\":1000000000001}", 400, "invalid_team_limit")]
    [InlineData("{\"limit\":9223372036854775807}", 400, "invalid_team_limit")]
    [InlineData("{\"limit\":1e30}", 400, "malformed_body")]
    [InlineData("{\"limit\":1.5}", 400, "malformed_body")]
    [InlineData("{\"limit\":\"lots\"}", 400, "malformed_body")]
    [InlineData("{}", 400, "malformed_body")]
    [InlineData("{\"limit\":", 400, "malformed_body")]
    [InlineData("null", 400, "malformed_body")]
    public async Task SetLimit_BadBody_4xxAndUnchanged(string json, int status, string code)
    {
        var team = await TeamAsync();

        var response = await PutAsync(team.Owner, team.TeamId, team.Member, json);

        Assert.Equal((status, code), await ProblemAnswer.ReadCodeAsync(response));
        Assert.Null(await LimitOfAsync(team, team.Member));
    }

    [Fact]
    public async Task SetLimit_FrozenTeam_403TeamFrozen()
    {
        var team = await TeamAsync();
        await FreezeAsync(team.TeamId);

        var response = await PutAsync(team.Owner, team.TeamId, team.Member, "{\"limit\":3}");

        Assert.Equal((403, "team_frozen"), await ProblemAnswer.ReadCodeAsync(response));
        Assert.Null(await LimitOfAsync(team, team.Member));
    }
}

public sealed class SqliteTeamLimitEndpointTests(SqliteCreditsDatabase database) : TeamLimitEndpointTests<SqliteCreditsDatabase>(database);

public sealed class PostgresTeamLimitEndpointTests(PostgresCreditsDatabase database) : TeamLimitEndpointTests<PostgresCreditsDatabase>(database);
