using System.Net;
using System.Net.Http.Json;
using MediaForge.Credits.AspNetCore.Tests.Infrastructure;
using MediaForge.Credits.Tests.Infrastructure;

namespace MediaForge.Credits.AspNetCore.Tests.Subscriptions;

/// <summary>
/// <c>POST /api/stripe/create-checkout-session</c> with a <c>planId</c>, against the fake Stripe API: Checkout in
/// subscription mode at the plan's own price, the user on the session and the subscription, and the refusals.
/// </summary>
public abstract class SubscriptionCheckoutTests<TDatabase>(TDatabase database) : SubscriptionAppTests<TDatabase>(database)
    where TDatabase : CreditsDatabase
{
    private Task<HttpResponseMessage> SubscribeAsync(string user, string planId) =>
        App.Client(user).PostAsJsonAsync("/api/stripe/create-checkout-session", new { planId });

    private Dictionary<string, string> SentFor(string user) =>
        App.Stripe.CreateRequests.Single(r => r.GetValueOrDefault("client_reference_id") == user);

    [Fact]
    public async Task Subscribe_Plan_AsksStripeForThePlansPriceInSubscriptionMode()
    {
        var user = NewUser();

        (await SubscribeAsync(user, "basic")).EnsureSuccessStatusCode();

        var sent = SentFor(user);
        Assert.Equal(("subscription", Basic, "1"), (sent["mode"], sent["line_items[0][price]"], sent["line_items[0][quantity]"]));
    }

    [Fact]
    public async Task Subscribe_Plan_NamesTheUserAndPlanOnTheSessionAndTheSubscription()
    {
        var user = NewUser();

        (await SubscribeAsync(user, "basic")).EnsureSuccessStatusCode();

        var sent = SentFor(user);
        Assert.Equal((user, "basic", user, "basic"), (sent["metadata[user_id]"], sent["metadata[plan_id]"],
            sent["subscription_data[metadata][user_id]"], sent["subscription_data[metadata][plan_id]"]));
    }

    [Fact]
    public async Task Subscribe_Plan_ReturnsToTheConfiguredPagesWithAKeyOfTheUserPlanAndMinute()
    {
        var user = NewUser();
        var before = DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 60;

        (await SubscribeAsync(user, "basic")).EnsureSuccessStatusCode();

        var after = DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 60;
        var sent = SentFor(user);
        Assert.Equal(("http://localhost/?checkout=success&session_id={CHECKOUT_SESSION_ID}", "http://localhost/?checkout=cancelled"),
            (sent["success_url"], sent["cancel_url"]));
        var key = Assert.Single(App.Stripe.IdempotencyKeys, key => key.StartsWith($"mediaforge-subscribe-{user}-basic-", StringComparison.Ordinal));
        Assert.Contains(key, new[] { $"mediaforge-subscribe-{user}-basic-{before}", $"mediaforge-subscribe-{user}-basic-{after}" });
    }

    [Fact]
    public async Task Subscribe_Plan_AnswersTheSessionAndTheCreditsOfAPeriod()
    {
        var user = NewUser();

        var answer = await (await SubscribeAsync(user, "basic")).Content.ReadFromJsonAsync<CheckoutSessionResponse>();

        Assert.NotNull(answer!.SessionId);
        Assert.NotNull(answer.Url);
        Assert.Equal((false, 100L), (answer.Claimed, answer.Credits));
    }

    [Fact]
    public async Task Subscribe_PlanIdInAnotherCaseWithSpaces_FindsThePlan()
    {
        var user = NewUser();

        (await SubscribeAsync(user, " PREMIUM ")).EnsureSuccessStatusCode();

        Assert.Equal((Premium, "premium"), (SentFor(user)["line_items[0][price]"], SentFor(user)["metadata[plan_id]"]));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("a-plan-id-of-sixty-five-characters-which-is-one-more-than-allowed")]
    public async Task Subscribe_EmptyOrOverlongPlanId_Is400InvalidPlanId(string planId)
    {
        var response = await SubscribeAsync(NewUser(), planId);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var (_, code, detail) = await ProblemAnswer.ReadAsync(response);
        Assert.Equal(("invalid_plan_id", "Plan ids have 1 to 64 characters."), (code, detail));
        Assert.Equal("The planId is empty or too long.", (await ProblemAnswer.ReadTextsAsync(response)).Title);
    }

    [Fact]
    public async Task Subscribe_UnknownPlanIdOfTheLongestLength_Is404UnknownPlan()
    {
        var planId = new string('p', 64);

        var response = await SubscribeAsync(NewUser(), planId);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var (_, code, detail) = await ProblemAnswer.ReadAsync(response);
        Assert.Equal(("unknown_plan", $"No active plan '{planId}'."), (code, detail));
        Assert.Equal("No such plan.", (await ProblemAnswer.ReadTextsAsync(response)).Title);
    }

    [Fact]
    public async Task Subscribe_WhileSubscribed_Is409AlreadySubscribedAndStartsNoCheckout()
    {
        var (user, sub) = (NewUser(), NewSubscription());
        await ReceiptAsync(Updated(sub, user, Basic));

        var response = await SubscribeAsync(user, "premium");

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        var (_, code, detail) = await ProblemAnswer.ReadAsync(response);
        Assert.Equal(("already_subscribed", "Your 'basic' subscription is active: change it rather than starting another."), (code, detail));
        Assert.Equal("You already have a subscription.", (await ProblemAnswer.ReadTextsAsync(response)).Title);
        Assert.DoesNotContain(App.Stripe.CreateRequests, r => r.GetValueOrDefault("client_reference_id") == user);
    }

    [Fact]
    public async Task Subscribe_AfterTheSubscriptionWasCanceled_StartsANewCheckout()
    {
        var (user, sub) = (NewUser(), NewSubscription());
        await ReceiptAsync(Updated(sub, user, Basic));
        await ReceiptAsync(Updated(sub, user, Basic, type: "customer.subscription.deleted", status: "canceled", endedAt: DateTimeOffset.UtcNow));

        var response = await SubscribeAsync(user, "premium");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Subscribe_StripeDown_Is502PaymentProviderError()
    {
        App.Stripe.FailWithStatus = 500;
        try
        {
            var response = await SubscribeAsync(NewUser(), "basic");

            Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
            Assert.Equal("payment_provider_error", (await ProblemAnswer.ReadAsync(response)).Code);
            Assert.Equal("Stripe could not start the checkout.", (await ProblemAnswer.ReadTextsAsync(response)).Title);
        }
        finally
        {
            App.Stripe.FailWithStatus = null;
        }
    }
}

public sealed class SqliteSubscriptionCheckoutTests(SqliteCreditsDatabase database) : SubscriptionCheckoutTests<SqliteCreditsDatabase>(database);

public sealed class PostgresSubscriptionCheckoutTests(PostgresCreditsDatabase database) : SubscriptionCheckoutTests<PostgresCreditsDatabase>(database);
