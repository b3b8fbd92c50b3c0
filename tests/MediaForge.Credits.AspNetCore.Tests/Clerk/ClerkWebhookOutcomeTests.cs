using System.Net;
using System.Net.Http.Json;
using MediaForge.Credits.AspNetCore.Tests.Infrastructure;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MediaForge.Credits.AspNetCore.Tests.Clerk;

/// <summary>The outcome each Clerk event answers, the profile it leaves, the refusals' codes, and what is counted.</summary>
public abstract class ClerkWebhookOutcomeTests<TDatabase>(TDatabase database) : CreditsAppTests<TDatabase>(database)
    where TDatabase : CreditsDatabase
{
    private async Task<HttpResponseMessage> SendAsync(string json, string? messageId = null) =>
        await App.Client().SendAsync(WebhookPayloads.ClerkRequest(json, messageId));

    private async Task<string?> OutcomeAsync(string json) =>
        (await (await SendAsync(json)).Content.ReadFromJsonAsync<WebhookReceipt>())!.Outcome;

    private static async Task<(string? Code, string? Detail)> ProblemOf(HttpResponseMessage response)
    {
        var (_, code, detail) = await ProblemAnswer.ReadAsync(response);
        return (code, detail);
    }

    private Task<Entities.CreditUser> UserRowAsync(string user) => App.DbAsync(db => db.Users.SingleAsync(u => u.Id == user));


    [Fact]
    public async Task Delivery_SvixIdOf255Characters_IsAccepted()
    {
        var user = NewUser();

        var response = await SendAsync(WebhookPayloads.ClerkUserEvent("user.created", user), "msg_" + new string('z', 251));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(50, await App.BalanceAsync(user));
    }

    [Theory]
    [InlineData("msg_with space")]
    [InlineData("msg_\u0001")]
    public async Task Delivery_SvixIdWithASpaceOrControlCharacter_IsRefusedAsInvalidMessageId(string messageId)
    {
        var request = WebhookPayloads.ClerkRequest(WebhookPayloads.ClerkUserEvent("user.created", NewUser()));
        request.Headers.Remove("svix-id");
        request.Headers.TryAddWithoutValidation("svix-id", messageId);

        var response = await App.Client().SendAsync(request);

        Assert.Equal(("invalid_message_id", "A svix-id has at most 255 characters and no spaces or control characters."), await ProblemOf(response));
        Assert.Equal("The svix-id header is not a message id.", (await ProblemAnswer.ReadTextsAsync(response)).Title);
    }

    [Fact]
    public async Task Delivery_OverLongSvixId_CountsRejectedAsInvalidMessageId()
    {
        using var rejected = App.Collect("mediaforge.credits.webhooks.rejected");

        await SendAsync(WebhookPayloads.ClerkUserEvent("user.created", NewUser()), "msg_" + new string('z', 252));

        Assert.True(Assert.Single(rejected.GetMeasurementSnapshot()).MatchesTags(
            new KeyValuePair<string, object?>("credits.provider", "clerk"), new KeyValuePair<string, object?>("credits.reason", "invalid_message_id")));
    }

    [Fact]
    public async Task Delivery_WrongSecret_IsRefusedAsInvalidSignatureSayingWhy()
    {
        var request = WebhookPayloads.ClerkRequest(WebhookPayloads.ClerkUserEvent("user.created", NewUser()), secret: "whsec_" + Convert.ToBase64String(new byte[24]));

        var response = await App.Client().SendAsync(request);

        Assert.Equal(("invalid_signature", "No svix-signature matches the payload and secret."), await ProblemOf(response));
    }

    [Fact]
    public async Task Delivery_WrongSecret_CountsRejectedAsInvalidSignature()
    {
        using var rejected = App.Collect("mediaforge.credits.webhooks.rejected");

        await App.Client().SendAsync(WebhookPayloads.ClerkRequest(WebhookPayloads.ClerkUserEvent("user.created", NewUser()), secret: "whsec_" + Convert.ToBase64String(new byte[24])));

        Assert.True(Assert.Single(rejected.GetMeasurementSnapshot()).MatchesTags(
            new KeyValuePair<string, object?>("credits.provider", "clerk"), new KeyValuePair<string, object?>("credits.reason", "invalid_signature")));
    }

    [Fact]
    public async Task Delivery_SignedMalformedJson_IsRefusedAsMalformedPayloadAndCounted()
    {
        using var rejected = App.Collect("mediaforge.credits.webhooks.rejected");

        var response = await SendAsync("{\"type\": \"user.created\", \"data\": ");

        Assert.Equal("malformed_payload", (await ProblemOf(response)).Code);
        Assert.Equal("The webhook body is not a Clerk event.", (await ProblemAnswer.ReadTextsAsync(response)).Title);
        Assert.True(Assert.Single(rejected.GetMeasurementSnapshot()).ContainsTags(
            new KeyValuePair<string, object?>("credits.provider", "clerk"), new KeyValuePair<string, object?>("credits.reason", "malformed_payload")));
    }

    [Fact]
    public async Task Delivery_Processed_CountsItsTypeAndOutcome()
    {
        using var processed = App.Collect("mediaforge.credits.webhooks.processed");

        await SendAsync(WebhookPayloads.ClerkUserEvent("user.created", NewUser()));

        Assert.True(Assert.Single(processed.GetMeasurementSnapshot()).ContainsTags(new KeyValuePair<string, object?>("credits.provider", "clerk"),
            new KeyValuePair<string, object?>("credits.event_type", "user.created"), new KeyValuePair<string, object?>("credits.outcome", "granted")));
    }

    [Fact]
    public async Task Delivery_IsTracedAsAWebhookOfClerk()
    {
        var providers = new System.Collections.Concurrent.ConcurrentBag<object?>();
        using var listener = new System.Diagnostics.ActivityListener
        {
            ShouldListenTo = source => source.Name == "MediaForge.Credits",
            Sample = (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) => System.Diagnostics.ActivitySamplingResult.AllData,
            ActivityStopped = activity => providers.Add(activity.OperationName == "credits.webhook" ? activity.GetTagItem("credits.provider") : null),
        };
        System.Diagnostics.ActivitySource.AddActivityListener(listener);

        await SendAsync(WebhookPayloads.ClerkUserEvent("user.created", NewUser()));

        Assert.Contains("clerk", providers);
    }

    [Fact]
    public async Task Delivery_IsRecordedOnItsOwnRowAsAClerkEventWithItsOutcome()
    {
        var messageId = "msg_" + Guid.NewGuid().ToString("N");

        await SendAsync(WebhookPayloads.ClerkUserEvent("user.created", NewUser()), messageId);

        var row = await App.DbAsync(db => db.Set<Entities.WebhookEvent>().SingleAsync(e => e.EventId == messageId));
        Assert.Equal(("clerk", "user.created", "granted"), (row.Provider, row.Type, row.Outcome));
    }

    [Fact]
    public async Task Delivery_SameMessageTwice_AnswersTheSecondAsADuplicateWithoutOutcome()
    {
        var json = WebhookPayloads.ClerkUserEvent("user.created", NewUser());
        var messageId = "msg_" + Guid.NewGuid().ToString("N");
        await SendAsync(json, messageId);

        var second = await SendAsync(json, messageId);

        Assert.Equal(new WebhookReceipt(true, true, null), await second.Content.ReadFromJsonAsync<WebhookReceipt>());
    }

    [Fact]
    public async Task UserCreated_WithoutASignUpPackage_CreatesTheUserAndGrantsNothing()
    {
        await using var app = await CreditsApp.StartAsync(Database, Database.ConnectionString,
            services => services.Configure<CreditsClerkOptions>(o => o.SignUpPackageId = " "));
        var user = NewUser();

        var response = await app.Client().SendAsync(WebhookPayloads.ClerkRequest(WebhookPayloads.ClerkUserEvent("user.created", user)));

        Assert.Equal("created", (await response.Content.ReadFromJsonAsync<WebhookReceipt>())!.Outcome);
        Assert.Equal(0, await app.BalanceAsync(user));
        Assert.Equal(WebhookPayloads.ClerkEmail(user), await app.DbAsync(db => db.Users.Where(u => u.Id == user).Select(u => u.Email).SingleAsync()));
    }

    [Fact]
    public async Task UserUpdated_NewerProfile_AnswersUpdatedAndStoresItsVersion()
    {
        var user = NewUser();
        await OutcomeAsync(WebhookPayloads.ClerkUserEvent("user.created", user, updatedAt: 1_767_225_000_000));

        var outcome = await OutcomeAsync(WebhookPayloads.ClerkUserEvent("user.updated", user, "new@example.com", updatedAt: 1_767_225_001_000));

        Assert.Equal("updated", outcome);
        var row = await UserRowAsync(user);
        Assert.Equal(("new@example.com", 1_767_225_001_000L), (row.Email, row.ProfileVersion));
    }

    [Fact]
    public async Task UserUpdated_SameVersionAsTheStoredProfile_IsApplied()
    {
        var user = NewUser();
        await OutcomeAsync(WebhookPayloads.ClerkUserEvent("user.created", user, updatedAt: 1_767_225_000_000));

        var outcome = await OutcomeAsync(WebhookPayloads.ClerkUserEvent("user.updated", user, "same@example.com", updatedAt: 1_767_225_000_000));

        Assert.Equal(("updated", "same@example.com"), (outcome, (await UserRowAsync(user)).Email));
    }

    [Fact]
    public async Task UserUpdated_AdminRoleInAnotherCase_MakesTheUserAdmin()
    {
        var user = NewUser();

        await OutcomeAsync(WebhookPayloads.ClerkUserEvent("user.updated", user, role: "ADMIN"));

        Assert.True((await UserRowAsync(user)).IsAdmin);
    }

    [Fact]
    public async Task UserUpdated_AnotherRole_KeepsTheUserNonAdmin()
    {
        var user = NewUser();

        await OutcomeAsync(WebhookPayloads.ClerkUserEvent("user.updated", user, role: "editor"));

        Assert.False((await UserRowAsync(user)).IsAdmin);
    }

    [Fact]
    public async Task UserDeleted_Admin_LosesTheAdminFlag()
    {
        var user = NewUser();
        await OutcomeAsync(WebhookPayloads.ClerkUserEvent("user.updated", user, role: "admin"));

        await OutcomeAsync(WebhookPayloads.ClerkUserEvent("user.deleted", user));

        Assert.False((await UserRowAsync(user)).IsAdmin);
    }

    [Fact]
    public async Task UserDeleted_ClearsTheStoredPrompts()
    {
        var user = NewUser();
        await OutcomeAsync(WebhookPayloads.ClerkUserEvent("user.created", user));
        await App.WithServiceAsync<CreditDeductionResult, ICreditService>(c => c.DeductCreditsAsync(user, "image-generation", "default", prompt: "a fox in the snow"));

        await OutcomeAsync(WebhookPayloads.ClerkUserEvent("user.deleted", user));

        Assert.Equal([null], await App.DbAsync(db => db.UsageLogs.Where(u => u.UserId == user).Select(u => u.Prompt).ToListAsync()));
    }

    [Fact]
    public async Task UserDeleted_KeepsOtherUsersPrompts()
    {
        var (user, other) = (NewUser(), NewUser());
        foreach (var id in new[] { user, other })
        {
            await OutcomeAsync(WebhookPayloads.ClerkUserEvent("user.created", id));
            await App.WithServiceAsync<CreditDeductionResult, ICreditService>(c => c.DeductCreditsAsync(id, "image-generation", "default", prompt: "a fox in the snow"));
        }

        await OutcomeAsync(WebhookPayloads.ClerkUserEvent("user.deleted", user));

        Assert.Equal(["a fox in the snow"], await App.DbAsync(db => db.UsageLogs.Where(u => u.UserId == other).Select(u => u.Prompt).ToListAsync()));
    }

    [Fact]
    public async Task UserDeleted_Twice_KeepsTheFirstDeletionTime()
    {
        var user = NewUser();
        await OutcomeAsync(WebhookPayloads.ClerkUserEvent("user.deleted", user));
        var first = (await UserRowAsync(user)).DeletedAt;
        await Task.Delay(TimeSpan.FromMilliseconds(20));

        await OutcomeAsync(WebhookPayloads.ClerkUserEvent("user.deleted", user));

        Assert.Equal(first, (await UserRowAsync(user)).DeletedAt);
    }

    [Fact]
    public async Task OtherUserEvent_IsAcknowledgedAndIgnored()
    {
        var user = NewUser();

        var outcome = await OutcomeAsync(WebhookPayloads.ClerkUserEvent("user.created", user).Replace("\"user.created\"", "\"user.exploded\"", StringComparison.Ordinal));

        Assert.Equal("ignored", outcome);
    }
}

public sealed class SqliteClerkWebhookOutcomeTests(SqliteCreditsDatabase database) : ClerkWebhookOutcomeTests<SqliteCreditsDatabase>(database);

public sealed class PostgresClerkWebhookOutcomeTests(PostgresCreditsDatabase database) : ClerkWebhookOutcomeTests<PostgresCreditsDatabase>(database);
