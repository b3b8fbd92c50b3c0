using System.Net.Http.Json;
using MediaForge.Credits.AspNetCore.Tests.Infrastructure;
using MediaForge.Credits.Entities;
using MediaForge.Credits.Teams;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace MediaForge.Credits.AspNetCore.Tests.Teams;

/// <summary>
/// <c>POST /api/stripe/create-checkout-session { packageId, teamId }</c>: only an owner or admin of an active team buys
/// for it; the signed webhook (or the success page) credits the team's wallet, once; a refund claws back from it.
/// </summary>
public abstract class TeamCheckoutTests<TDatabase>(TDatabase database) : TeamAppTests<TDatabase>(database)
    where TDatabase : CreditsDatabase
{
    private Task<HttpResponseMessage> CheckoutAsync(string buyer, object body) => App.Client(buyer).PostAsJsonAsync("/api/stripe/create-checkout-session", body);

    /// <summary>Starts a Pro checkout for the team by <paramref name="buyer"/>: the session id and the fields the add-on sent Stripe.</summary>
    private async Task<(string SessionId, Dictionary<string, string> Sent)> TeamCheckoutAsync(string teamId, string buyer)
    {
        var response = await CheckoutAsync(buyer, new { packageId = "pro", teamId });
        response.EnsureSuccessStatusCode();
        return ((await response.Content.ReadFromJsonAsync<CheckoutSessionResponse>())!.SessionId!, App.Stripe.CreateRequests.Last());
    }

    private static Dictionary<string, string> Metadata(Dictionary<string, string> sent) =>
        sent.Where(f => f.Key.StartsWith("metadata[", StringComparison.Ordinal)).ToDictionary(f => f.Key["metadata[".Length..^1], f => f.Value);

    private Task<HttpResponseMessage> DeliverPaidAsync(string sessionId, Dictionary<string, string> sent, string? eventId = null, string? paymentIntent = null) =>
        App.Client().SendAsync(WebhookPayloads.StripeRequest(
            WebhookPayloads.StripeSessionEvent("checkout.session.completed", sessionId, 2999, "usd", "paid", Metadata(sent), eventId, paymentIntentId: paymentIntent)));

    private async Task<long> WalletAsync(string teamId) => (await TeamsAsync(t => t.GetBalanceAsync(teamId)))!.Balance;

    private Task<int> PurchasesOfAsync(string teamId) => App.DbAsync(db => db.Purchases.CountAsync(p => p.UserId == CreditWalletAccounts.TeamAccount(teamId)));

    [Theory]
    [InlineData("owner")]
    [InlineData("admin")]
    public async Task CreateCheckoutSession_ForATeamByAnOwnerOrAdmin_PendingPurchaseOfTheWalletWithTheBuyerRecorded(string role)
    {
        var team = await TeamAsync();
        var buyer = team.Of(role);

        var (sessionId, sent) = await TeamCheckoutAsync(team.TeamId, buyer);

        var purchase = await App.DbAsync(db => db.Purchases.AsNoTracking().SingleAsync(p => p.ProviderSessionId == sessionId));
        Assert.Equal((CreditWalletAccounts.TeamAccount(team.TeamId), buyer, PurchaseStatus.Pending), (purchase.UserId, purchase.PurchasedBy, purchase.Status));
        Assert.Equal((team.TeamId, buyer), (sent["metadata[team_id]"], sent["metadata[user_id]"]));
        Assert.Equal($"Pro – 200 credits for team {team.TeamId}", sent["line_items[0][price_data][product_data][name]"]);
    }

    [Fact]
    public async Task CreateCheckoutSession_ForATeamByAMember_403AndNothingStarted()
    {
        var team = await TeamAsync();

        var response = await CheckoutAsync(team.Member, new { packageId = "pro", teamId = team.TeamId });

        Assert.Equal((403, "team_role_not_allowed"), await ProblemAnswer.ReadCodeAsync(response));
        Assert.Equal("Your role in this team does not allow buying for the team.", (await ProblemAnswer.ReadTextsAsync(response)).Title);
        Assert.Equal(0, await PurchasesOfAsync(team.TeamId));
        Assert.Empty(App.Stripe.CreateRequests);
    }

    [Fact]
    public async Task CreateCheckoutSession_ForATeamByANonMember_404AsAnUnknownTeam()
    {
        var team = await TeamAsync();

        var response = await CheckoutAsync(team.Outsider, new { packageId = "pro", teamId = team.TeamId });

        Assert.Equal((404, "team_not_found"), await ProblemAnswer.ReadCodeAsync(response));
        Assert.Equal(0, await PurchasesOfAsync(team.TeamId));
        Assert.Empty(App.Stripe.CreateRequests);
    }

    [Fact]
    public async Task CreateCheckoutSession_ForAFrozenTeam_403TeamFrozen()
    {
        var team = await TeamAsync();
        await FreezeAsync(team.TeamId);

        var response = await CheckoutAsync(team.Owner, new { packageId = "pro", teamId = team.TeamId });

        Assert.Equal((403, "team_frozen"), await ProblemAnswer.ReadCodeAsync(response));
        Assert.Empty(App.Stripe.CreateRequests);
    }

    [Fact]
    public async Task CreateCheckoutSession_FreePackageForATeam_422AndNothingClaimed()
    {
        var team = await TeamAsync();

        var response = await CheckoutAsync(team.Owner, new { packageId = "starter", teamId = team.TeamId });

        Assert.Equal((422, "free_package_not_for_teams"), await ProblemAnswer.ReadCodeAsync(response));
        Assert.Equal(("A free package cannot be claimed for a team.", "Package 'starter' is free: choose a paid package for the team."),
            await ProblemAnswer.ReadTextsAsync(response));
        Assert.Equal((0L, 0L), (await WalletAsync(team.TeamId), await App.BalanceAsync(team.Owner)));
    }

    [Fact]
    public async Task CreateCheckoutSession_TeamAndGift_422()
    {
        var team = await TeamAsync();

        var response = await CheckoutAsync(team.Owner, new { packageId = "pro", teamId = team.TeamId, gift = true });

        Assert.Equal((422, "team_gift_not_supported"), await ProblemAnswer.ReadCodeAsync(response));
        Assert.Equal(("A package for a team cannot be bought as a gift.", "Buy it for the team, or as a gift from your own checkout."),
            await ProblemAnswer.ReadTextsAsync(response));
        Assert.Empty(App.Stripe.CreateRequests);
    }

    [Theory]
    [InlineData("")]
    [InlineData("org with spaces")]
    [InlineData("org_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")]
    public async Task CreateCheckoutSession_MalformedTeamId_404TeamNotFound(string teamId)
    {
        var response = await CheckoutAsync(NewUser("buyer"), new { packageId = "pro", teamId });

        Assert.Equal((404, "team_not_found"), await ProblemAnswer.ReadCodeAsync(response));
        Assert.Empty(App.Stripe.CreateRequests);
    }

    [Fact]
    public async Task TeamPurchase_PaidThroughTheSignedWebhook_CreditsTheTeamWalletNotTheBuyer()
    {
        var team = await TeamAsync();
        var (sessionId, sent) = await TeamCheckoutAsync(team.TeamId, team.Admin);

        (await DeliverPaidAsync(sessionId, sent)).EnsureSuccessStatusCode();

        Assert.Equal((200L, 0L), (await WalletAsync(team.TeamId), await App.BalanceAsync(team.Admin)));
        var balance = (await App.Client(team.Member).GetFromJsonAsync<CreditTeamBalanceResponse>($"/api/credits/teams/{team.TeamId}/balance"))!;
        Assert.Equal(200L, balance.Balance);
    }

    [Fact]
    public async Task TeamPurchase_WebhookDeliveredTwiceAndTheSuccessPage_CreditedOnce()
    {
        var team = await TeamAsync();
        var (sessionId, sent) = await TeamCheckoutAsync(team.TeamId, team.Owner);
        App.Stripe.MarkPaid(sessionId);

        (await DeliverPaidAsync(sessionId, sent, "evt_team_once")).EnsureSuccessStatusCode();
        (await DeliverPaidAsync(sessionId, sent, "evt_team_once")).EnsureSuccessStatusCode();
        (await DeliverPaidAsync(sessionId, sent)).EnsureSuccessStatusCode();
        var status = (await App.Client(team.Owner).GetFromJsonAsync<CheckoutStatusResponse>($"/api/stripe/checkout-session/{sessionId}"))!;

        Assert.Equal(("completed", 200L, team.TeamId), (status.Status, status.Balance, status.TeamId));
        Assert.Equal(200L, await WalletAsync(team.TeamId));
        var (balance, ledgerSum, _) = await Database.ReadLedgerAsync(CreditWalletAccounts.TeamAccount(team.TeamId), App.Services);
        Assert.Equal((200L, 200L), (balance, ledgerSum));
    }

    [Fact]
    public async Task TeamPurchase_TenWebhooksRacingTheSuccessPage_CreditedOnce()
    {
        var team = await TeamAsync();
        var (sessionId, sent) = await TeamCheckoutAsync(team.TeamId, team.Owner);
        App.Stripe.MarkPaid(sessionId);
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var deliveries = Enumerable.Range(0, 10).Select(_ => Task.Run(async () => { await start.Task; return (await DeliverPaidAsync(sessionId, sent)).StatusCode; }))
            .Append(Task.Run(async () => { await start.Task; return (await App.Client(team.Owner).GetAsync($"/api/stripe/checkout-session/{sessionId}")).StatusCode; }))
            .ToList();
        start.SetResult();
        var statuses = await Task.WhenAll(deliveries);

        Assert.All(statuses, s => Assert.Equal(System.Net.HttpStatusCode.OK, s));
        var (balance, ledgerSum, _) = await Database.ReadLedgerAsync(CreditWalletAccounts.TeamAccount(team.TeamId), App.Services);
        Assert.Equal((200L, 200L), (balance, ledgerSum));
    }

    [Fact]
    public async Task CheckoutStatus_OfATeamPurchase_OnlyForTheBuyer()
    {
        var team = await TeamAsync();
        var (sessionId, _) = await TeamCheckoutAsync(team.TeamId, team.Admin);

        var other = await App.Client(team.Owner).GetAsync($"/api/stripe/checkout-session/{sessionId}");
        var buyer = (await App.Client(team.Admin).GetFromJsonAsync<CheckoutStatusResponse>($"/api/stripe/checkout-session/{sessionId}"))!;

        Assert.Equal((404, "unknown_checkout_session"), await ProblemAnswer.ReadCodeAsync(other));
        Assert.Equal(("pending", team.TeamId), (buyer.Status, buyer.TeamId));
    }

    [Fact]
    public async Task TeamPurchase_RefundedThroughTheWebhook_ClawsBackFromTheTeamWallet()
    {
        var team = await TeamAsync();
        var (sessionId, sent) = await TeamCheckoutAsync(team.TeamId, team.Owner);
        var paymentIntent = "pi_test_" + Guid.NewGuid().ToString("N");
        (await DeliverPaidAsync(sessionId, sent, paymentIntent: paymentIntent)).EnsureSuccessStatusCode();
        await App.WithServiceAsync<CreditTransactionResult, ICreditService>(c => c.AddCreditsAsync(team.Owner, 9, CreditTransactionType.Bonus, "own"));

        (await App.Client().SendAsync(WebhookPayloads.StripeRequest(WebhookPayloads.StripeChargeRefunded(paymentIntent, 2999, 2999)))).EnsureSuccessStatusCode();

        Assert.Equal((0L, 9L), (await WalletAsync(team.TeamId), await App.BalanceAsync(team.Owner)));
    }
}

public sealed class SqliteTeamCheckoutTests(SqliteCreditsDatabase database) : TeamCheckoutTests<SqliteCreditsDatabase>(database);

public sealed class PostgresTeamCheckoutTests(PostgresCreditsDatabase database) : TeamCheckoutTests<PostgresCreditsDatabase>(database);
