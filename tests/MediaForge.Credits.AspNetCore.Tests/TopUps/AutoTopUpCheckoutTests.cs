using System.Net.Http.Json;
using MediaForge.Credits.AspNetCore.Tests.Infrastructure;
using MediaForge.Credits.Teams;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace MediaForge.Credits.AspNetCore.Tests.TopUps;

/// <summary>
/// <c>saveForAutoTopUp</c> on a checkout: Stripe keeps the card for off-session charges of the wallet bought for (the
/// buyer's own or the team's); never for a gift or a free pack (422 <c>cannot_save_payment_method</c>), and for a team
/// only by its owners and admins (403), before anything is recorded or sent to Stripe.
/// </summary>
public abstract class AutoTopUpCheckoutTests<TDatabase>(TDatabase database) : AutoTopUpAppTests<TDatabase>(database)
    where TDatabase : CreditsDatabase
{
    private Task<HttpResponseMessage> CheckoutAsync(string user, object body) => App.Client(user).PostAsJsonAsync("/api/stripe/create-checkout-session", body);

    private Task<int> PurchasesAsync(params string[] accounts) => App.DbAsync(db => db.Purchases.CountAsync(p => accounts.Contains(p.UserId)));

    /// <summary>A team with its owner and a member whose role is Member.</summary>
    private async Task<(string TeamId, string Owner, string Member)> TeamAsync()
    {
        var (teamId, owner, member) = ("org_" + Guid.NewGuid().ToString("N"), NewUser(), NewUser());
        Assert.True((await App.WithServiceAsync<CreditTeamResult, ICreditTeamService>(t => t.CreateTeamAsync(teamId, "Render crew", owner))).Success);
        Assert.True((await App.WithServiceAsync<CreditTeamResult, ICreditTeamService>(t => t.AddMemberAsync(teamId, owner, member))).Success);
        return (teamId, owner, member);
    }

    [Fact]
    public async Task Checkout_SaveForAutoTopUp_AsksStripeToKeepTheCardForOffSessionCharges()
    {
        var user = NewUser();

        var response = await App.Client(user).PostAsJsonAsync("/api/stripe/create-checkout-session", new { packageId = "pro", saveForAutoTopUp = true });

        response.EnsureSuccessStatusCode();
        var form = App.Stripe.CreateRequests.Single(r => r.GetValueOrDefault("client_reference_id") == user);
        Assert.Equal(("off_session", "always", user), (form["payment_intent_data[setup_future_usage]"], form["customer_creation"],
            form["payment_intent_data[metadata][save_for_wallet]"]));
    }

    [Fact]
    public async Task Checkout_WithoutSaveForAutoTopUp_KeepsNoCard()
    {
        var user = NewUser();

        (await App.Client(user).PostAsJsonAsync("/api/stripe/create-checkout-session", new { packageId = "pro" })).EnsureSuccessStatusCode();

        var form = App.Stripe.CreateRequests.Single(r => r.GetValueOrDefault("client_reference_id") == user);
        Assert.False(form.ContainsKey("payment_intent_data[setup_future_usage]"));
        Assert.False(form.ContainsKey("customer_creation"));
    }

    [Fact]
    public async Task Checkout_SaveForAutoTopUpForATeamByItsOwner_KeepsTheCardForTheTeamsWallet()
    {
        var (teamId, owner, _) = await TeamAsync();

        (await CheckoutAsync(owner, new { packageId = "pro", teamId, saveForAutoTopUp = true })).EnsureSuccessStatusCode();

        var form = App.Stripe.CreateRequests.Single(r => r.GetValueOrDefault("metadata[team_id]") == teamId);
        Assert.Equal(("off_session", CreditWalletAccounts.TeamAccount(teamId)),
            (form["payment_intent_data[setup_future_usage]"], form["payment_intent_data[metadata][save_for_wallet]"]));
    }

    [Fact]
    public async Task Checkout_SaveForAutoTopUpForATeamByAMember_403NamesSavingTheCardAndNothingStarted()
    {
        var (teamId, _, member) = await TeamAsync();

        var response = await CheckoutAsync(member, new { packageId = "pro", teamId, saveForAutoTopUp = true });

        Assert.Equal((403, "team_role_not_allowed"), await ProblemAnswer.ReadCodeAsync(response));
        Assert.Equal("Your role in this team does not allow saving a card for the team's auto top-up.", (await ProblemAnswer.ReadTextsAsync(response)).Title);
        Assert.Equal(0, await PurchasesAsync(member, CreditWalletAccounts.TeamAccount(teamId)));
        Assert.Empty(App.Stripe.CreateRequests);
    }

    [Theory]
    [InlineData("pro", true)]
    [InlineData("starter", false)]
    public async Task Checkout_SaveForAutoTopUpOfAGiftOrTheFreePack_422CannotSavePaymentMethodAndNothingStarted(string packageId, bool gift)
    {
        var user = NewUser();

        var response = await CheckoutAsync(user, new { packageId, gift, saveForAutoTopUp = true });

        var (status, code, detail) = await ProblemAnswer.ReadAsync(response);
        Assert.Equal((422, "cannot_save_payment_method", "Only a paid package bought for your own or your team's wallet can save its card."), (status, code, detail));
        Assert.Equal("This checkout cannot keep its card for auto top-up.", (await ProblemAnswer.ReadTextsAsync(response)).Title);
        Assert.Equal((0, 0L), (await PurchasesAsync(user), await App.BalanceAsync(user)));
        Assert.Empty(App.Stripe.CreateRequests);
    }
}

public sealed class SqliteAutoTopUpCheckoutTests(SqliteCreditsDatabase database) : AutoTopUpCheckoutTests<SqliteCreditsDatabase>(database);

public sealed class PostgresAutoTopUpCheckoutTests(PostgresCreditsDatabase database) : AutoTopUpCheckoutTests<PostgresCreditsDatabase>(database);
