using System.Net;
using MediaForge.Credits.AspNetCore.Tests.Infrastructure;
using MediaForge.Credits.Ledger;
using MediaForge.Credits.Teams;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MediaForge.Credits.AspNetCore.Tests.Endpoints;

/// <summary>
/// <c>.RequireCredits(feature, model, wallet: ...)</c> with a team's wallet named by the request (the <c>X-Team</c>
/// header here): members spend from the pool; a stranger, a frozen team and a reached limit each get their own problem;
/// a malformed team id is a 400. Video generation with Hailuo costs 8 credits.
/// </summary>
public abstract class TeamRequireCreditsTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>, IAsyncLifetime
    where TDatabase : CreditsDatabase
{
    private CreditsApp app = null!;

    public async Task InitializeAsync() => app = await CreditsApp.StartAsync(database, database.ConnectionString,
        s => s.Configure<CreditsOptions>(o => o.Teams.Enabled = true),
        web => web.MapPost("/team/generate", () => TypedResults.Ok(new { video = "fox.mp4" }))
            .RequireCredits("video-generation", "hailuo", wallet: http => http.Request.Headers["X-Team"].FirstOrDefault() is { } team
                ? CreditWallet.Team(team)
                : CreditWallet.Personal));

    public async Task DisposeAsync() => await app.DisposeAsync();

    private async Task<(string TeamId, string Owner)> TeamAsync(long pool)
    {
        var (teamId, owner) = ("org_" + Guid.NewGuid().ToString("N"), "user_" + Guid.NewGuid().ToString("N"));
        Assert.True((await app.WithServiceAsync<CreditTeamResult, ICreditTeamService>(t => t.CreateTeamAsync(teamId, "Studio", owner))).Success);
        await app.WithServiceAsync<CreditTransactionResult, CreditService>(c => c.GrantAsync(CreditWalletAccounts.TeamAccount(teamId), pool,
            CreditTransactionType.Purchase, "Team pack", null, null, null, CancellationToken.None));
        return (teamId, owner);
    }

    private Task<HttpResponseMessage> PostAsync(string user, string? team)
    {
        var client = app.Client(user);
        if (team is not null)
        {
            client.DefaultRequestHeaders.Add("X-Team", team);
        }

        return client.PostAsync("/team/generate", null);
    }

    private Task<long> PoolAsync(string teamId) =>
        app.WithServiceAsync<long, ICreditTeamService>(async t => (await t.GetBalanceAsync(teamId))!.Balance);

    [Fact]
    public async Task RequireCredits_MemberWithTeamWallet_ChargesThePool()
    {
        var (teamId, owner) = await TeamAsync(20);

        var response = await PostAsync(owner, teamId);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(12L, await PoolAsync(teamId));
        Assert.Equal(0L, await app.BalanceAsync(owner));
    }

    [Fact]
    public async Task RequireCredits_NonMember_Returns403NotTeamMemberAndChargesNothing()
    {
        var (teamId, _) = await TeamAsync(20);

        var response = await PostAsync("user_" + Guid.NewGuid().ToString("N"), teamId);

        Assert.Equal((403, "not_team_member"), await ProblemAnswer.ReadCodeAsync(response));
        Assert.Equal(("Not a member of the team.", "Only active members of the team spend from its wallet."), await ProblemAnswer.ReadTextsAsync(response));
        Assert.Equal(20L, await PoolAsync(teamId));
    }

    [Fact]
    public async Task RequireCredits_LimitReached_Returns402MemberLimitReached()
    {
        var (teamId, owner) = await TeamAsync(20);
        Assert.True((await app.WithServiceAsync<CreditTeamResult, ICreditTeamService>(t => t.SetMemberLimitAsync(teamId, owner, owner, 5))).Success);

        var response = await PostAsync(owner, teamId);

        Assert.Equal((402, "member_limit_reached"), await ProblemAnswer.ReadCodeAsync(response));
        Assert.Equal(("Your spending limit in this team is reached.", "The team's wallet pays no more for you in this period."), await ProblemAnswer.ReadTextsAsync(response));
        Assert.Equal(20L, await PoolAsync(teamId));
    }

    [Fact]
    public async Task RequireCredits_FrozenTeam_Returns403TeamFrozen()
    {
        var (teamId, owner) = await TeamAsync(20);
        await app.DbAsync(db => db.Set<MediaForge.Credits.Entities.CreditTeamRow>().Where(t => t.Id == teamId)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.Status, CreditTeamStatus.Frozen)));

        var response = await PostAsync(owner, teamId);

        Assert.Equal((403, "team_frozen"), await ProblemAnswer.ReadCodeAsync(response));
        Assert.Equal(("The team's wallet is frozen.", "The team was closed; nobody spends from its wallet."), await ProblemAnswer.ReadTextsAsync(response));
    }

    [Theory]
    [InlineData("org with spaces")]
    [InlineData("org_0123456789012345678901234567890123456789012345678901234567890123456789")]
    public async Task RequireCredits_MalformedTeamId_Returns400InvalidWallet(string team)
    {
        var (_, owner) = await TeamAsync(20);

        var response = await PostAsync(owner, team);

        Assert.Equal((400, "invalid_wallet"), await ProblemAnswer.ReadCodeAsync(response));
        Assert.Equal("The wallet is not valid.", (await ProblemAnswer.ReadTextsAsync(response)).Title);
    }
}

/// <summary>The same endpoint on a host with teams off: a team's wallet from the request is nobody's membership, never a 5xx.</summary>
public abstract class TeamsOffRequireCreditsTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>, IAsyncLifetime
    where TDatabase : CreditsDatabase
{
    private CreditsApp app = null!;

    public async Task InitializeAsync() => app = await CreditsApp.StartAsync(database, database.ConnectionString, map: web =>
        web.MapPost("/team/generate", () => TypedResults.Ok(new { video = "fox.mp4" }))
            .RequireCredits("video-generation", "hailuo", wallet: http => CreditWallet.Team(http.Request.Headers["X-Team"].ToString())));

    public async Task DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task RequireCredits_TeamWalletWithTeamsOff_Returns403NotTeamMember()
    {
        var client = app.Client("user_" + Guid.NewGuid().ToString("N"));
        client.DefaultRequestHeaders.Add("X-Team", "org_any");

        var (status, code, _) = await ProblemAnswer.ReadAsync(await client.PostAsync("/team/generate", null));

        Assert.Equal((403, "not_team_member"), (status, code));
    }
}

public sealed class SqliteTeamsOffRequireCreditsTests(SqliteCreditsDatabase database) : TeamsOffRequireCreditsTests<SqliteCreditsDatabase>(database);

public sealed class PostgresTeamsOffRequireCreditsTests(PostgresCreditsDatabase database) : TeamsOffRequireCreditsTests<PostgresCreditsDatabase>(database);

public sealed class SqliteTeamRequireCreditsTests(SqliteCreditsDatabase database) : TeamRequireCreditsTests<SqliteCreditsDatabase>(database);

public sealed class PostgresTeamRequireCreditsTests(PostgresCreditsDatabase database) : TeamRequireCreditsTests<PostgresCreditsDatabase>(database);
