using System.Net;
using System.Text.Json.Nodes;
using MediaForge.Credits.AspNetCore.Tests.Infrastructure;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace MediaForge.Credits.AspNetCore.Tests.Subscriptions;

/// <summary>Signed subscription events the webhook refuses with a 400, recording and granting nothing.</summary>
public abstract class SubscriptionMalformedEventTests<TDatabase>(TDatabase database) : SubscriptionAppTests<TDatabase>(database)
    where TDatabase : CreditsDatabase
{
    [Fact]
    public async Task Invoice_WhoseDataIsSpelledInAnotherCase_IsRefusedAsHavingNoDataObject()
    {
        var user = NewUser();
        var json = JsonNode.Parse(Paid(NewSubscription(), user, Basic, P1Start, P1End))!.AsObject();
        var data = json["data"]!;
        json.Remove("data");
        json["Data"] = data; // names are case-sensitive: this event has no "data"

        var response = await SendAsync(json.ToJsonString());

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var (_, code, detail) = await ProblemAnswer.ReadAsync(response);
        Assert.Equal(("malformed_event", "The event has no data.object."), (code, detail));
        Assert.Equal(0, await App.BalanceAsync(user));
    }

    [Theory]
    [InlineData("a comment", "/* x */")]
    [InlineData("a trailing comma", ",")]
    public async Task Invoice_SignedBodyThatIsNotStrictJson_IsRefusedAsMalformedPayload(string _, string insert)
    {
        var user = NewUser();
        var json = Paid(NewSubscription(), user, Basic, P1Start, P1End);
        var body = insert == "," ? json[..^1] + ",}" : json[..1] + insert + json[1..];

        var response = await SendAsync(body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("malformed_payload", (await ProblemAnswer.ReadAsync(response)).Code);
        Assert.Equal(0, await App.BalanceAsync(user));
    }

    [Fact]
    public async Task Subscription_IdLongerThan255_IsRefusedWith400AsAnEventTheCoreCannotApply()
    {
        var response = await SendAsync(Updated(new string('s', 300), NewUser(), Basic));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(("malformed_event", "The Stripe event cannot be applied."),
            ((await ProblemAnswer.ReadAsync(response)).Code, (await ProblemAnswer.ReadTextsAsync(response)).Title));
    }

    [Fact]
    public async Task Subscription_IdLongerThan255_RecordsNoEventSoNothingIsLeftHalfApplied()
    {
        var json = Updated(new string('s', 300), NewUser(), Basic);

        await SendAsync(json);

        var eventId = JsonNode.Parse(json)!["id"]!.GetValue<string>();
        Assert.False(await App.DbAsync(db => db.WebhookEvents.AnyAsync(e => e.EventId == eventId)));
    }
}

public sealed class SqliteSubscriptionMalformedEventTests(SqliteCreditsDatabase database) : SubscriptionMalformedEventTests<SqliteCreditsDatabase>(database);

public sealed class PostgresSubscriptionMalformedEventTests(PostgresCreditsDatabase database) : SubscriptionMalformedEventTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbSubscriptionMalformedEventTests(MariaDbCreditsDatabase database) : SubscriptionMalformedEventTests<MariaDbCreditsDatabase>(database);
