using System.Net;
using System.Net.Http.Json;
using MediaForge.Credits.AspNetCore.Tests.Infrastructure;
using MediaForge.Credits.Entities;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using P = MediaForge.Credits.AspNetCore.Tests.Clerk.ClerkOrganizationPayloads;

namespace MediaForge.Credits.AspNetCore.Tests.Clerk;

/// <summary>
/// Clerk organizations mirrored into teams through the signed webhook: roles mapped, later <c>updated_at</c> wins, a
/// deleted organization freezes its team, and every order of a set of events, duplicated, ends in the same state.
/// </summary>
public abstract class ClerkOrganizationTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>, IAsyncLifetime
    where TDatabase : CreditsDatabase
{
    private CreditsApp app = null!;

    public async Task InitializeAsync() =>
        app = await CreditsApp.StartAsync(database, database.ConnectionString, s => s.Configure<CreditsOptions>(o => o.Teams.Enabled = true));

    public async Task DisposeAsync() => await app.DisposeAsync();

    private static string NewOrg() => "org_" + Guid.NewGuid().ToString("N");

    private static string NewUser() => "user_" + Guid.NewGuid().ToString("N");

    private async Task<string?> SendAsync(string json, string? messageId = null)
    {
        var response = await app.Client().SendAsync(WebhookPayloads.ClerkRequest(json, messageId));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<WebhookReceipt>())!.Outcome;
    }

    /// <summary>The team and its members as stored, ids replaced by their names in <paramref name="names"/>.</summary>
    private Task<string> StateAsync(string orgId, IReadOnlyDictionary<string, string> names) => app.DbAsync(async db =>
    {
        var team = await db.Set<CreditTeamRow>().AsNoTracking().SingleAsync(t => t.Id == orgId);
        var members = await db.Set<CreditTeamMemberRow>().AsNoTracking().Where(m => m.TeamId == orgId).OrderBy(m => m.UserId).ToListAsync();
        var wallet = await db.Accounts.AnyAsync(a => a.UserId == "mf:team:" + orgId);
        return $"{team.Name}|{team.Status}|{team.SourceVersion}|wallet {wallet}|"
            + string.Join(",", members.Select(m => $"{names[m.UserId]}:{m.Role}:{(m.RemovedAt is null ? "in" : "out")}:{m.SourceVersion}").Order(StringComparer.Ordinal));
    });

    [Fact]
    public async Task OrganizationCreated_MakesTheTeamWithItsWallet()
    {
        var org = NewOrg();

        var outcome = await SendAsync(P.Organization("organization.created", org, "Acme", 1_000, NewUser()));

        Assert.Equal("team_created", outcome);
        Assert.Equal("Acme|Active|1000|wallet True|", await StateAsync(org, new Dictionary<string, string>()));
    }

    [Theory]
    [InlineData("org:admin", true, CreditTeamRole.Owner)]
    [InlineData("org:admin", false, CreditTeamRole.Admin)]
    [InlineData("org:member", false, CreditTeamRole.Member)]
    [InlineData("org:billing_manager", false, CreditTeamRole.Member)]
    public async Task MembershipCreated_MapsTheRole(string clerkRole, bool isCreator, CreditTeamRole role)
    {
        var (org, user) = (NewOrg(), NewUser());
        var organization = P.OrganizationObject(org, "Acme", 1_000, isCreator ? user : NewUser());

        Assert.Equal("member_added", await SendAsync(P.Membership("organizationMembership.created", organization, user, clerkRole, 1_100)));

        Assert.Equal(role, await app.DbAsync(db => db.Set<CreditTeamMemberRow>().Where(m => m.TeamId == org && m.UserId == user).Select(m => m.Role).SingleAsync()));
    }

    [Fact]
    public async Task OrganizationUpdated_OlderThanTheStoredOne_IsStaleAndKeepsTheName()
    {
        var (org, creator) = (NewOrg(), NewUser());
        await SendAsync(P.Organization("organization.updated", org, "Acme Inc", 2_000, creator));

        var outcome = await SendAsync(P.Organization("organization.created", org, "Acme", 1_000, creator));

        Assert.Equal("stale", outcome);
        Assert.Equal("Acme Inc|Active|2000|wallet True|", await StateAsync(org, new Dictionary<string, string>()));
    }

    [Fact]
    public async Task OrganizationDeleted_FreezesTheTeamForGoodAndKeepsItsWallet()
    {
        var (org, creator) = (NewOrg(), NewUser());
        await SendAsync(P.Organization("organization.created", org, "Acme", 1_000, creator));

        Assert.Equal("team_frozen", await SendAsync(P.OrganizationDeleted(org, 3_000)));
        await SendAsync(P.Organization("organization.updated", org, "Acme Reborn", 4_000, creator));

        Assert.Equal("Acme Reborn|Frozen|4000|wallet True|", await StateAsync(org, new Dictionary<string, string>()));
    }

    [Fact]
    public async Task MembershipDeleted_RemovesTheMember()
    {
        var (org, user) = (NewOrg(), NewUser());
        var organization = P.OrganizationObject(org, "Acme", 1_000, NewUser());
        await SendAsync(P.Membership("organizationMembership.created", organization, user, "org:member", 1_100));

        var outcome = await SendAsync(P.Membership("organizationMembership.deleted", organization, user, "org:member", 1_100, timestamp: 2_000));

        Assert.Equal("member_removed", outcome);
        await using var scope = app.Services.CreateAsyncScope();
        Assert.Empty(await scope.ServiceProvider.GetRequiredService<ICreditTeamService>().GetTeamsAsync(user));
    }

    [Fact]
    public async Task OrganizationEvent_TeamsOff_IsIgnoredAndMakesNoTeam()
    {
        await using var off = await CreditsApp.StartAsync(database, database.ConnectionString);
        var org = NewOrg();

        var response = await off.Client().SendAsync(WebhookPayloads.ClerkRequest(P.Organization("organization.created", org, "Acme", 1_000, NewUser())));

        Assert.Equal("teams_disabled", (await response.Content.ReadFromJsonAsync<WebhookReceipt>())!.Outcome);
        Assert.False(await off.DbAsync(db => db.Set<CreditTeamRow>().AnyAsync(t => t.Id == org)));
    }

    [Theory]
    [InlineData("""{"type":"organizationMembership.created","timestamp":1,"data":{"role":"org:admin","organization":{"id":"org_1"}}}""")]
    [InlineData("""{"type":"organizationMembership.created","timestamp":1,"data":{"organization":{"id":"org_1"},"public_user_data":{"user_id":"mf:team:org_2"}}}""")]
    [InlineData("""{"type":"organizationMembership.created","timestamp":1,"data":{"organization":{"id":"org 1"},"public_user_data":{"user_id":"user_1"}}}""")]
    [InlineData("""{"type":"organization.created","timestamp":1,"data":{"id":"org_12345678901234567890123456789012345678901234567890123456789012","name":"x"}}""")]
    [InlineData("""{"type":"organization.updated","data":{"id":"org_1","name":"x"}}""")]
    [InlineData("""{"type":"organization.deleted","timestamp":1,"data":{"id":7}}""")]
    [InlineData("""{"type":"user.created","timestamp":1,"data":{"id":"mf:team:org_1"}}""")]
    public async Task MalformedOrganizationEvent_IsRefusedAsMalformedPayloadAndChangesNothing(string json)
    {
        var teamsBefore = await app.DbAsync(db => db.Set<CreditTeamRow>().CountAsync());

        var response = await app.Client().SendAsync(WebhookPayloads.ClerkRequest(json));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("malformed_payload", (await ProblemAnswer.ReadAsync(response)).Code);
        Assert.Equal(teamsBefore, await app.DbAsync(db => db.Set<CreditTeamRow>().CountAsync()));
    }

    [Fact]
    public async Task MembershipEvents_InEveryOrderAndDuplicated_ConvergeToTheSameState()
    {
        string? expected = null;
        foreach (var order in Permutations(5))
        {
            var (org, creator, member) = (NewOrg(), NewUser(), NewUser());
            var names = new Dictionary<string, string> { [creator] = "creator", [member] = "member" };
            string[] events =
            [
                P.Organization("organization.created", org, "Acme", 1_000, creator),
                P.Organization("organization.updated", org, "Acme Inc", 2_000, creator),
                P.Membership("organizationMembership.created", P.OrganizationObject(org, "Acme", 1_000, creator), member, "org:member", 1_100),
                P.Membership("organizationMembership.updated", P.OrganizationObject(org, "Acme Inc", 2_000, creator), member, "org:admin", 2_500),
                P.Membership("organizationMembership.created", P.OrganizationObject(org, "Acme", 1_000, creator), creator, "org:admin", 1_000),
            ];
            await DeliverAsync(events, order);

            var state = await StateAsync(org, names);
            expected ??= state;
            Assert.Equal(expected, state);
        }

        Assert.Equal("Acme Inc|Active|2000|wallet True|creator:Owner:in:1000,member:Admin:in:2500", expected);
    }

    [Fact]
    public async Task RemovalAndFreeze_InEveryOrderAndDuplicated_ConvergeToTheSameState()
    {
        string? expected = null;
        foreach (var order in Permutations(5))
        {
            var (org, creator, member) = (NewOrg(), NewUser(), NewUser());
            var names = new Dictionary<string, string> { [creator] = "creator", [member] = "member" };
            var organization = P.OrganizationObject(org, "Acme", 1_000, creator);
            string[] events =
            [
                P.Organization("organization.created", org, "Acme", 1_000, creator),
                P.Membership("organizationMembership.created", organization, member, "org:member", 1_100),
                P.Membership("organizationMembership.updated", organization, member, "org:admin", 1_500),
                P.Membership("organizationMembership.deleted", organization, member, "org:admin", 1_500, timestamp: 3_000),
                P.OrganizationDeleted(org, 4_000),
            ];
            await DeliverAsync(events, order);

            var state = await StateAsync(org, names);
            expected ??= state;
            Assert.Equal(expected, state);
        }

        Assert.Equal("Acme|Frozen|1000|wallet True|member:Admin:out:3000", expected);
    }

    /// <summary>Delivers the events in <paramref name="order"/>, then the first one again under its own message id (the recorder drops it) and under a new one (applied again, harmlessly).</summary>
    private async Task DeliverAsync(string[] events, int[] order)
    {
        var ids = events.Select(_ => "msg_" + Guid.NewGuid().ToString("N")).ToArray();
        foreach (var i in order)
        {
            await SendAsync(events[i], ids[i]);
        }

        Assert.Null(await SendAsync(events[order[0]], ids[order[0]]));
        await SendAsync(events[order[^1]]);
        await SendAsync(events[order[0]]);
    }

    private static IEnumerable<int[]> Permutations(int n)
    {
        if (n == 0)
        {
            yield return [];
            yield break;
        }

        foreach (var rest in Permutations(n - 1))
        {
            for (var at = 0; at <= rest.Length; at++)
            {
                yield return [.. rest[..at], n - 1, .. rest[at..]];
            }
        }
    }
}

public sealed class SqliteClerkOrganizationTests(SqliteCreditsDatabase database) : ClerkOrganizationTests<SqliteCreditsDatabase>(database);

public sealed class PostgresClerkOrganizationTests(PostgresCreditsDatabase database) : ClerkOrganizationTests<PostgresCreditsDatabase>(database);
