using System.Net.Http.Json;
using MediaForge.Credits.AspNetCore.Tests.Infrastructure;
using MediaForge.Credits.Teams;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace MediaForge.Credits.AspNetCore.Tests.Teams;

/// <summary>
/// A team's wallet is bought one pack at a time: a volume checkout (<c>quantity</c> or <c>credits</c>) for a team is
/// refused with 422 <c>team_volume_not_supported</c>, after the volume's own bounds, and records nothing.
/// </summary>
public abstract class TeamVolumeCheckoutTests<TDatabase>(TDatabase database) : TeamAppTests<TDatabase>(database)
    where TDatabase : CreditsDatabase
{
    private Task<HttpResponseMessage> CheckoutAsync(string buyer, object body) => App.Client(buyer).PostAsJsonAsync("/api/stripe/create-checkout-session", body);

    private Task<int> PurchasesAsync(params string[] accounts) => App.DbAsync(db => db.Purchases.CountAsync(p => accounts.Contains(p.UserId)));

    [Theory]
    [InlineData(2, null)]
    [InlineData(null, 500L)]
    public async Task CreateCheckoutSession_VolumeForATeam_422TeamVolumeNotSupportedAndNothingStarted(int? quantity, long? credits)
    {
        var team = await TeamAsync();

        var response = await CheckoutAsync(team.Owner, new { packageId = "pro", teamId = team.TeamId, quantity, credits });

        var (status, code, detail) = await ProblemAnswer.ReadAsync(response);
        Assert.Equal((422, "team_volume_not_supported", "Buy single packs for the team, or a volume purchase for yourself."), (status, code, detail));
        Assert.Equal("A team's wallet is bought one pack at a time.", (await ProblemAnswer.ReadTextsAsync(response)).Title);
        Assert.Equal(0, await PurchasesAsync(team.Owner, CreditWalletAccounts.TeamAccount(team.TeamId)));
        Assert.Empty(App.Stripe.CreateRequests);
    }

    [Fact]
    public async Task CreateCheckoutSession_VolumeForATeamOutOfBounds_400TheBoundsFirst()
    {
        var team = await TeamAsync();

        var response = await CheckoutAsync(team.Owner, new { packageId = "pro", teamId = team.TeamId, quantity = 101 });

        Assert.Equal((400, "invalid_quantity"), await ProblemAnswer.ReadCodeAsync(response));
        Assert.Empty(App.Stripe.CreateRequests);
    }

    [Fact]
    public async Task CreateCheckoutSession_OnePackForATeamNamedAsQuantityOne_IsAnOrdinaryTeamPurchase()
    {
        var team = await TeamAsync();

        var response = await CheckoutAsync(team.Owner, new { packageId = "pro", teamId = team.TeamId, quantity = 1 });

        response.EnsureSuccessStatusCode();
        Assert.Equal(1, await PurchasesAsync(CreditWalletAccounts.TeamAccount(team.TeamId)));
    }
}

public sealed class SqliteTeamVolumeCheckoutTests(SqliteCreditsDatabase database) : TeamVolumeCheckoutTests<SqliteCreditsDatabase>(database);

public sealed class PostgresTeamVolumeCheckoutTests(PostgresCreditsDatabase database) : TeamVolumeCheckoutTests<PostgresCreditsDatabase>(database);
