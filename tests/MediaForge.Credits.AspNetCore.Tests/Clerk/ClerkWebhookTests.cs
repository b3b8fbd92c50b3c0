using System.Net;
using System.Net.Http.Json;
using MediaForge.Credits.AspNetCore.Tests.Infrastructure;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MediaForge.Credits.AspNetCore.Tests.Clerk;

public abstract class ClerkWebhookTests<TDatabase>(TDatabase database) : CreditsAppTests<TDatabase>(database)
    where TDatabase : CreditsDatabase
{
    private readonly TDatabase fixture = database;

    private Task<HttpResponseMessage> SendAsync(HttpRequestMessage request) => App.Client().SendAsync(request);

    [Fact]
    public async Task UserCreated_GrantsTheFiftyStarterCredits()
    {
        var user = NewUser();

        var response = await SendAsync(WebhookPayloads.ClerkRequest(WebhookPayloads.ClerkUserEvent("user.created", user)));

        Assert.Equal(new WebhookReceipt(true, false, "granted"), await response.Content.ReadFromJsonAsync<WebhookReceipt>());
        Assert.Equal(50, await App.BalanceAsync(user));
        var row = await App.DbAsync(db => db.Users.SingleAsync(u => u.Id == user));
        Assert.Equal((WebhookPayloads.ClerkEmail(user), "Jane Doe", false), (row.Email, row.DisplayName, row.IsAdmin));
    }

    [Fact]
    public async Task UserCreated_SameDeliveryTwentyTimesAtOnce_GrantsFiftyOnce()
    {
        var user = NewUser();
        var json = WebhookPayloads.ClerkUserEvent("user.created", user);
        var messageId = "msg_" + Guid.NewGuid().ToString("N");

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => SendAsync(WebhookPayloads.ClerkRequest(json, messageId)))));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(50, await App.BalanceAsync(user));
        Assert.Equal(1, await App.DbAsync(db => db.Transactions.CountAsync(t => t.UserId == user)));
    }

    [Fact]
    public async Task UserCreated_RedeliveredWithANewMessageId_StillGrantsOnce()
    {
        var user = NewUser();
        var json = WebhookPayloads.ClerkUserEvent("user.created", user);

        await SendAsync(WebhookPayloads.ClerkRequest(json));
        var second = await SendAsync(WebhookPayloads.ClerkRequest(json));

        Assert.Equal("already_granted", (await second.Content.ReadFromJsonAsync<WebhookReceipt>())!.Outcome);
        Assert.Equal(50, await App.BalanceAsync(user));
    }

    [Fact]
    public async Task UserCreated_AfterTheUserAlreadyUsedTheApi_GrantsOnceWithoutDuplicateKeyErrors()
    {
        var user = NewUser();
        await App.StartCheckoutAsync(user);

        var response = await SendAsync(WebhookPayloads.ClerkRequest(WebhookPayloads.ClerkUserEvent("user.created", user)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(50, await App.BalanceAsync(user));
        Assert.Equal(WebhookPayloads.ClerkEmail(user), await App.DbAsync(db => db.Users.Where(u => u.Id == user).Select(u => u.Email).SingleAsync()));
    }

    [Fact]
    public async Task UserCreated_AfterTheUserClaimedTheStarterPack_GrantsNothingMore()
    {
        var user = NewUser();
        await App.Client(user).PostAsJsonAsync("/api/stripe/create-checkout-session", new { packageId = "starter" });

        var response = await SendAsync(WebhookPayloads.ClerkRequest(WebhookPayloads.ClerkUserEvent("user.created", user)));

        Assert.Equal("already_granted", (await response.Content.ReadFromJsonAsync<WebhookReceipt>())!.Outcome);
        Assert.Equal(50, await App.BalanceAsync(user));
    }

    [Fact]
    public async Task UserUpdated_WithAdminRole_MakesTheUserUnlimited()
    {
        var user = NewUser();
        await SendAsync(WebhookPayloads.ClerkRequest(WebhookPayloads.ClerkUserEvent("user.created", user)));

        await SendAsync(WebhookPayloads.ClerkRequest(WebhookPayloads.ClerkUserEvent("user.updated", user, "boss@example.com", role: "admin")));

        var balance = await App.Client(user).GetFromJsonAsync<CreditBalanceResponse>("/api/credits/balance");
        Assert.True(balance!.IsUnlimited);
        Assert.Equal("boss@example.com", await App.DbAsync(db => db.Users.Where(u => u.Id == user).Select(u => u.Email).SingleAsync()));
    }

    [Fact]
    public async Task UserDeleted_ClearsPersonalDataAndKeepsTheLedger()
    {
        var user = NewUser();
        await SendAsync(WebhookPayloads.ClerkRequest(WebhookPayloads.ClerkUserEvent("user.created", user)));

        var response = await SendAsync(WebhookPayloads.ClerkRequest(WebhookPayloads.ClerkUserEvent("user.deleted", user)));

        Assert.Equal("deleted", (await response.Content.ReadFromJsonAsync<WebhookReceipt>())!.Outcome);
        var row = await App.DbAsync(db => db.Users.SingleAsync(u => u.Id == user));
        Assert.NotNull(row.DeletedAt);
        Assert.Null(row.Email);
        Assert.Null(row.DisplayName);
        Assert.Equal(1, await App.DbAsync(db => db.Transactions.CountAsync(t => t.UserId == user)));
    }

    private async Task<string?> OutcomeAsync(string json) =>
        (await (await SendAsync(WebhookPayloads.ClerkRequest(json))).Content.ReadFromJsonAsync<WebhookReceipt>())!.Outcome;

    [Fact]
    public async Task UserUpdated_OlderThanTheStoredProfile_DoesNotRestoreARevokedAdmin()
    {
        var user = NewUser();
        await OutcomeAsync(WebhookPayloads.ClerkUserEvent("user.created", user, updatedAt: 1_767_225_000_000));
        await OutcomeAsync(WebhookPayloads.ClerkUserEvent("user.updated", user, role: "admin", updatedAt: 1_767_225_001_000));
        await OutcomeAsync(WebhookPayloads.ClerkUserEvent("user.updated", user, "revoked@example.com", updatedAt: 1_767_225_002_000));

        var late = await OutcomeAsync(WebhookPayloads.ClerkUserEvent("user.updated", user, "boss@example.com", role: "admin", updatedAt: 1_767_225_001_000));

        Assert.Equal("stale", late);
        var row = await App.DbAsync(db => db.Users.SingleAsync(u => u.Id == user));
        Assert.Equal((false, "revoked@example.com", 1_767_225_002_000L), (row.IsAdmin, row.Email, row.ProfileVersion));
    }

    [Fact]
    public async Task UserCreated_DeliveredAfterANewerUpdate_GrantsAndKeepsTheNewerProfile()
    {
        var user = NewUser();
        await OutcomeAsync(WebhookPayloads.ClerkUserEvent("user.updated", user, "newer@example.com", updatedAt: 1_767_225_005_000));

        var late = await OutcomeAsync(WebhookPayloads.ClerkUserEvent("user.created", user, "older@example.com", updatedAt: 1_767_225_000_000));

        Assert.Equal("granted", late);
        Assert.Equal(50, await App.BalanceAsync(user));
        Assert.Equal("newer@example.com", await App.DbAsync(db => db.Users.Where(u => u.Id == user).Select(u => u.Email).SingleAsync()));
    }

    [Fact]
    public async Task UserUpdated_AfterUserDeleted_KeepsThePersonalDataCleared()
    {
        var user = NewUser();
        await OutcomeAsync(WebhookPayloads.ClerkUserEvent("user.created", user, updatedAt: 1_767_225_000_000));
        await OutcomeAsync(WebhookPayloads.ClerkUserEvent("user.deleted", user));

        var late = await OutcomeAsync(WebhookPayloads.ClerkUserEvent("user.updated", user, "jane@example.com", role: "admin", updatedAt: 1_999_999_999_000));

        Assert.Equal("user_deleted", late);
        var row = await App.DbAsync(db => db.Users.SingleAsync(u => u.Id == user));
        Assert.Equal((null, null, false), (row.Email, row.DisplayName, row.IsAdmin));
        Assert.NotNull(row.DeletedAt);
    }

    [Fact]
    public async Task UserCreated_DeliveredAfterUserDeleted_RestoresNothingAndGrantsNothing()
    {
        var user = NewUser();
        await OutcomeAsync(WebhookPayloads.ClerkUserEvent("user.deleted", user));

        var late = await OutcomeAsync(WebhookPayloads.ClerkUserEvent("user.created", user));

        Assert.Equal("user_deleted", late);
        Assert.Equal(0, await App.BalanceAsync(user));
        var row = await App.DbAsync(db => db.Users.SingleAsync(u => u.Id == user));
        Assert.Equal((null, false), (row.Email, row.DeletedAt is null));
    }

    [Fact]
    public async Task UserCreated_SameEmailAfterTheFirstAccountWasDeleted_GrantsNothing()
    {
        var (first, second) = (NewUser(), NewUser());
        await OutcomeAsync(WebhookPayloads.ClerkUserEvent("user.created", first, "farmer@example.com"));
        await OutcomeAsync(WebhookPayloads.ClerkUserEvent("user.deleted", first));

        var outcome = await OutcomeAsync(WebhookPayloads.ClerkUserEvent("user.created", second, "  Farmer@Example.COM "));

        Assert.Equal("email_already_claimed", outcome);
        Assert.Equal((50L, 0L), (await App.BalanceAsync(first), await App.BalanceAsync(second)));
    }

    [Fact]
    public async Task UserCreated_SameEmailWithTheGuardTurnedOff_GrantsAgain()
    {
        await using var app = await CreditsApp.StartAsync(fixture, fixture.ConnectionString,
            services => services.Configure<CreditsOptions>(o => o.OneFreePackagePerEmail = false));
        var (first, second) = (NewUser(), NewUser());
        await app.Client().SendAsync(WebhookPayloads.ClerkRequest(WebhookPayloads.ClerkUserEvent("user.created", first, "twice@example.com")));
        await app.Client().SendAsync(WebhookPayloads.ClerkRequest(WebhookPayloads.ClerkUserEvent("user.deleted", first)));

        var response = await app.Client().SendAsync(WebhookPayloads.ClerkRequest(WebhookPayloads.ClerkUserEvent("user.created", second, "twice@example.com")));

        Assert.Equal("granted", (await response.Content.ReadFromJsonAsync<WebhookReceipt>())!.Outcome);
        Assert.Equal(50, await app.BalanceAsync(second));
    }

    [Fact]
    public async Task Delivery_WithoutAWebhookSecret_Is503NotConfiguredNamingTheSetting()
    {
        await using var app = await CreditsApp.StartAsync(Database, Database.ConnectionString,
            services => services.PostConfigure<CreditsClerkOptions>(o => o.WebhookSecret = null));

        var response = await app.Client().SendAsync(WebhookPayloads.ClerkRequest(WebhookPayloads.ClerkUserEvent("user.created", NewUser())));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("not_configured", (await ProblemAnswer.ReadAsync(response)).Code);
        Assert.Equal("The Clerk webhook secret (CLERK_WEBHOOK_SECRET) is not configured.", (await ProblemAnswer.ReadTextsAsync(response)).Title);
    }

    [Fact]
    public async Task Delivery_WithSeveralSignaturesAndTheValidOneLast_IsAccepted()
    {
        var user = NewUser();

        var response = await SendAsync(WebhookPayloads.ClerkRequest(WebhookPayloads.ClerkUserEvent("user.created", user),
            extraSignature: "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(50, await App.BalanceAsync(user));
    }

    public static TheoryData<string, Func<string, HttpRequestMessage>> BadDeliveries => new()
    {
        { "stale", json => WebhookPayloads.ClerkRequest(json, signedAt: DateTimeOffset.UtcNow.AddMinutes(-6)) },
        { "from the future", json => WebhookPayloads.ClerkRequest(json, signedAt: DateTimeOffset.UtcNow.AddMinutes(6)) },
        { "tampered", json => Tampered(json) },
        { "wrong secret", json => WebhookPayloads.ClerkRequest(json, secret: "whsec_" + Convert.ToBase64String(new byte[24])) },
        { "missing signature header", json => WebhookPayloads.ClerkRequest(json, secret: null) },
        { "malformed JSON", _ => WebhookPayloads.ClerkRequest("{\"type\": \"user.created\", \"data\": ") },
    };

    private static HttpRequestMessage Tampered(string json)
    {
        var request = WebhookPayloads.ClerkRequest(json);
        request.Content = new StringContent(json.Replace("jane.doe", "mallory", StringComparison.Ordinal), System.Text.Encoding.UTF8, "application/json");
        return request;
    }

    [Theory]
    [MemberData(nameof(BadDeliveries))]
    public async Task Delivery_Bad_Returns400AndChangesNothing(string _, Func<string, HttpRequestMessage> delivery)
    {
        var user = NewUser();

        var response = await SendAsync(delivery(WebhookPayloads.ClerkUserEvent("user.created", user)));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(0, await App.BalanceAsync(user));
        Assert.False(await App.DbAsync(db => db.Users.AnyAsync(u => u.Id == user)));
    }
}

public sealed class SqliteClerkWebhookTests(SqliteCreditsDatabase database) : ClerkWebhookTests<SqliteCreditsDatabase>(database);

public sealed class PostgresClerkWebhookTests(PostgresCreditsDatabase database) : ClerkWebhookTests<PostgresCreditsDatabase>(database);
