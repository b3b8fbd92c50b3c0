using MediaForge.Credits.Events;
using MediaForge.Credits.Teams;
using MediaForge.Credits.Tests.Infrastructure;
using MediaForge.Credits.Tests.Teams;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace MediaForge.Credits.Tests.Events;

/// <summary>
/// <see cref="LowBalance"/> and <see cref="Depleted"/> from every path that lowers a balance, user's or team's: team
/// spends (both wallets of a split use), split captures, transfers (the sender; the recipient is armed again), clawbacks of
/// a refunded purchase, lapses of expiring credits and negative adjustments. Once per crossing. Threshold 10;
/// image-generation/default costs 3, video-generation/veo2 15.
/// </summary>
public abstract class BalanceAlertCoverageTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private const long Threshold = 10;
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 6, 1, 12, 0, 0, TimeSpan.Zero));
    private TeamSetup? setup;

    private TeamSetup Setup => setup ??= new TeamSetup(database, clock, o =>
    {
        o.Events.LowBalanceThreshold = Threshold;
        o.Teams.FundingPolicy = CreditTeamFundingPolicy.PersonalFirst;
    });

    private Task<int> LowAsync(string wallet) => Outbox.CountAsync(Setup.Services, wallet, LowBalance.TypeName);

    private Task<int> DepletedAsync(string wallet) => Outbox.CountAsync(Setup.Services, wallet, Depleted.TypeName);

    private async Task<string> UserWithAsync(long credits)
    {
        var user = TeamSetup.NewUser("alert");
        await Setup.GrantAsync(user, credits);
        return user;
    }

    [Fact]
    public async Task TeamSpend_CrossingTheThresholdTwice_RaisesOneLowBalanceOnTheTeamWallet()
    {
        var (teamId, owner) = await Setup.TeamAsync();
        await Setup.FundAsync(teamId, 12);

        await Setup.SpendAsync(teamId, owner); // 9: crossed
        await Setup.SpendAsync(teamId, owner); // 6

        var alert = Assert.Single(await Outbox.EventsAsync<LowBalance>(Setup.Services, CreditWalletAccounts.TeamAccount(teamId)));
        Assert.Equal((9L, Threshold), (alert.Balance, alert.Threshold));
    }

    [Fact]
    public async Task TeamSpend_SplitUseEmptyingTheMembersOwn_RaisesLowBalanceAndDepletedOnTheMember()
    {
        var (teamId, owner) = await Setup.TeamAsync();
        await Setup.FundAsync(teamId, 100);
        await Setup.GrantAsync(owner, 12);

        Assert.True((await Setup.SpendAsync(teamId, owner, "video-generation", "veo2")).Success); // own 12 → 0, pool 100 → 97

        Assert.Equal((1, 1), (await LowAsync(owner), await DepletedAsync(owner)));
        Assert.Equal(0, await LowAsync(CreditWalletAccounts.TeamAccount(teamId)));
    }

    [Fact]
    public async Task Capture_SplitHold_RaisesEachWalletsOwnCrossing()
    {
        var (teamId, owner) = await Setup.TeamAsync();
        await Setup.FundAsync(teamId, 12);
        await Setup.GrantAsync(owner, 12);
        var hold = await Setup.Holds(h => h.ReserveCreditsAsync(owner, "video-generation", "veo2", wallet: CreditWallet.Team(teamId)));

        Assert.True((await Setup.Holds(h => h.CaptureReservationAsync(hold.ReservationId!.Value))).Success); // own 12 → 0, pool 12 → 9

        Assert.Equal((1, 1), (await LowAsync(owner), await DepletedAsync(owner)));
        Assert.Equal((1, 0), (await LowAsync(CreditWalletAccounts.TeamAccount(teamId)), await DepletedAsync(CreditWalletAccounts.TeamAccount(teamId))));
    }

    [Fact]
    public async Task Transfer_SenderCrossing_RaisesLowBalanceAndTheRecipientIsArmedAgain()
    {
        var (sender, recipient) = (await UserWithAsync(20), await UserWithAsync(12));
        await Setup.Credits(c => c.AdjustCreditsAsync(recipient, -5, "test", "ops")); // recipient 7: crossed
        Assert.Equal(1, await LowAsync(recipient));

        await Setup.Credits(c => c.TransferCreditsAsync(sender, recipient, 15, "gift")); // sender 5: crossed; recipient 22: armed
        await Setup.Credits(c => c.TransferCreditsAsync(recipient, sender, 13, "back")); // recipient 9: crossed again

        Assert.Equal(1, await LowAsync(sender));
        Assert.Equal(2, await LowAsync(recipient));
    }

    [Fact]
    public async Task Adjustment_NegativeToZero_RaisesLowBalanceAndDepleted()
    {
        var user = await UserWithAsync(15);

        await Setup.Credits(c => c.AdjustCreditsAsync(user, -15, "chargeback", "ops"));

        Assert.Equal((1, 1), (await LowAsync(user), await DepletedAsync(user)));
    }

    [Fact]
    public async Task Lapse_ExpiringCreditsSweptAway_RaiseLowBalanceAndDepletedOnce()
    {
        var user = TeamSetup.NewUser("lapse");
        await Setup.Credits(c => c.AddExpiringCreditsAsync(user, 30, CreditTransactionType.Bonus, "trial", clock.GetUtcNow().AddDays(1)));
        clock.Advance(TimeSpan.FromDays(2));

        await Setup.Credits(c => c.ExpireCreditsAsync());
        await Setup.Credits(c => c.ExpireCreditsAsync());

        Assert.Equal((1, 1), (await LowAsync(user), await DepletedAsync(user)));
        Assert.Equal(0L, (await Setup.OwnAsync(user)).Balance);
    }

    [Fact]
    public async Task Clawback_RefundedPurchase_RaisesLowBalanceAndDepletedOnce()
    {
        var user = TeamSetup.NewUser("buyer");
        var (session, payment) = ("cs_test_" + Guid.NewGuid().ToString("N"), "pi_test_" + Guid.NewGuid().ToString("N"));
        var purchase = await Setup.Purchases(p => p.StartPurchaseAsync(user, "pro", "stripe"));
        await Setup.Purchases(async p => { await p.AttachSessionAsync(purchase.Id, session); return true; });
        await Setup.Purchases(p => p.CompletePurchaseAsync(session, 2999, "usd", "pro", payment));

        await Setup.Purchases(p => p.RecordRefundAsync(payment, 2999));
        await Setup.Purchases(p => p.RecordRefundAsync(payment, 2999));

        Assert.Equal((1, 1), (await LowAsync(user), await DepletedAsync(user)));
    }

    [Fact]
    public async Task Transfer_WithTheThresholdOff_RaisesDepletedButNoLowBalance()
    {
        var services = database.BuildServices(database.ConnectionString, o => o.Teams.Enabled = true);
        var user = TeamSetup.NewUser("quiet");
        await database.WithCreditsAsync(c => c.AddCreditsAsync(user, 3, CreditTransactionType.Bonus, "one use"), services);

        await database.WithCreditsAsync(c => c.TransferCreditsAsync(user, TeamSetup.NewUser("other"), 3, "all"), services);

        Assert.Equal(0, await LowAsync(user));
        Assert.Equal(1, await DepletedAsync(user));
    }
}

public sealed class SqliteBalanceAlertCoverageTests(SqliteCreditsDatabase database) : BalanceAlertCoverageTests<SqliteCreditsDatabase>(database);

public sealed class PostgresBalanceAlertCoverageTests(PostgresCreditsDatabase database) : BalanceAlertCoverageTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbBalanceAlertCoverageTests(MariaDbCreditsDatabase database) : BalanceAlertCoverageTests<MariaDbCreditsDatabase>(database);
