using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using MediaForge.Credits.AspNetCore.Tests.Infrastructure;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace MediaForge.Credits.AspNetCore.Tests.Clerk;

/// <summary>
/// Validly signed Clerk deliveries with hostile content: each is answered 4xx with a problem body (or 2xx when it is
/// acknowledged and ignored), never 5xx, and creates no user, account, ledger row or processed event.
/// </summary>
public abstract class ClerkHostileInputTests<TDatabase>(TDatabase database) : CreditsAppTests<TDatabase>(database)
    where TDatabase : CreditsDatabase
{
    private static readonly string Long = new('x', 10_000);

    /// <summary>A signed <c>user.created</c> for <paramref name="user"/>, changed by <paramref name="change"/>.</summary>
    private static HttpRequestMessage Created(string user, Action<JsonObject> change, string? messageId = null)
    {
        var root = JsonNode.Parse(WebhookPayloads.ClerkUserEvent("user.created", user))!.AsObject();
        change(root);
        return WebhookPayloads.ClerkRequest(root.ToJsonString(), messageId);
    }

    private static HttpRequestMessage Raw(string body) => WebhookPayloads.ClerkRequest(body);

    private static JsonObject Data(JsonObject root) => root["data"]!.AsObject();

    public static TheoryData<string, Func<string, HttpRequestMessage>> HostileDeliveries => new()
    {
        { "data.id of 10,000 characters", user => Created(user, r => Data(r)["id"] = user + Long) },
        { "data.id of 129 characters", user => Created(user, r => Data(r)["id"] = user + new string('x', 129 - user.Length)) },
        { "data.id with a control character", user => Created(user, r => Data(r)["id"] = user + "\u0000") },
        { "data.id with a space", user => Created(user, r => Data(r)["id"] = user + " x") },
        { "data.id empty", user => Created(user, r => Data(r)["id"] = "") },
        { "data.id a number", user => Created(user, r => Data(r)["id"] = 42) },
        { "data.id missing", user => Created(user, r => Data(r).Remove("id")) },
        { "svix-id of 10,000 characters", user => Created(user, _ => { }, "msg_" + Long) },
        { "svix-id of 256 characters", user => Created(user, _ => { }, "msg_" + new string('y', 252)) },
        { "e-mail of 10,000 characters", user => Created(user, r => Data(r)["email_addresses"]![0]!["email_address"] = Long + "@example.com") },
        { "e-mail a number", user => Created(user, r => Data(r)["email_addresses"]![0]!["email_address"] = 7) },
        { "email_addresses an object", user => Created(user, r => Data(r)["email_addresses"] = new JsonObject()) },
        { "first_name of 10,000 characters", user => Created(user, r => Data(r)["first_name"] = Long) },
        { "username of 10,000 characters", user => Created(user, r => { Data(r)["first_name"] = null; Data(r)["last_name"] = null; Data(r)["username"] = Long; }) },
        { "updated_at a string", user => Created(user, r => Data(r)["updated_at"] = "yesterday") },
        { "updated_at negative", user => Created(user, r => Data(r)["updated_at"] = -1) },
        { "updated_at and timestamp missing", user => Created(user, r => { Data(r).Remove("updated_at"); r.Remove("timestamp"); }) },
        { "data missing", user => Created(user, r => r.Remove("data")) },
        { "data a string", user => Created(user, r => r["data"] = user) },
        { "data null", user => Created(user, r => r["data"] = null) },
        { "type missing", user => Created(user, r => r.Remove("type")) },
        { "type a number", user => Created(user, r => r["type"] = 1) },
        { "type of 10,000 characters", user => Created(user, r => r["type"] = "user." + Long) },
        { "unknown user event type", user => Created(user, r => r["type"] = "user.exploded") },
        { "unknown event type", user => Created(user, r => r["type"] = "session.created") },
        { "body an array", _ => Raw("[]") },
        { "body a string", _ => Raw("\"user.created\"") },
        { "body null", _ => Raw("null") },
        { "body empty", _ => Raw("") },
        { "body nested 1,000 deep", user => Raw("{\"type\":\"user.created\",\"data\":{\"id\":\"" + user + "\",\"x\":" + new string('[', 1000) + new string(']', 1000) + "}}") },
        { "body over the size limit", user => Created(user, r => Data(r)["padding"] = new string('p', 300 * 1024)) },
    };

    [Theory]
    [MemberData(nameof(HostileDeliveries))]
    public async Task Delivery_SignedButHostile_AnswersWithoutServerErrorAndChangesNothing(string _, Func<string, HttpRequestMessage> delivery)
    {
        var user = NewUser();
        var request = delivery(user);
        var messageId = request.Headers.GetValues("svix-id").Single();

        var response = await App.Client().SendAsync(request);

        var status = (int)response.StatusCode;
        Assert.True(status is >= 200 and < 300 or >= 400 and < 500, $"status {status}");
        if (status >= 400)
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.StartsWith("urn:mediaforge:credits:", problem.RootElement.GetProperty("type").GetString());
            Assert.False(string.IsNullOrEmpty(problem.RootElement.GetProperty("code").GetString()));
            Assert.False(await App.DbAsync(db => db.Set<Entities.WebhookEvent>().AnyAsync(e => e.EventId == messageId)));
        }

        Assert.False(await App.DbAsync(db => db.Users.AnyAsync(u => u.Id.StartsWith(user))));
        Assert.False(await App.DbAsync(db => db.Accounts.AnyAsync(a => a.UserId.StartsWith(user))));
        Assert.False(await App.DbAsync(db => db.Transactions.AnyAsync(t => t.UserId.StartsWith(user))));
    }

    [Fact]
    public async Task Delivery_UserIdOf128Characters_IsAccepted()
    {
        var user = NewUser();
        var id = user + new string('x', 128 - user.Length);

        var response = await App.Client().SendAsync(Created(user, r => Data(r)["id"] = id));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(50, await App.BalanceAsync(id));
    }

    [Fact]
    public async Task Delivery_OverLongSvixId_IsRefusedWithItsOwnCode()
    {
        var response = await App.Client().SendAsync(Created(NewUser(), _ => { }, "msg_" + Long));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("\"invalid_message_id\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Delivery_OverLongUserId_IsRefusedAsMalformed()
    {
        var user = NewUser();

        var response = await App.Client().SendAsync(Created(user, r => Data(r)["id"] = user + Long));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("\"malformed_payload\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}

public sealed class SqliteClerkHostileInputTests(SqliteCreditsDatabase database) : ClerkHostileInputTests<SqliteCreditsDatabase>(database);

public sealed class PostgresClerkHostileInputTests(PostgresCreditsDatabase database) : ClerkHostileInputTests<PostgresCreditsDatabase>(database);
