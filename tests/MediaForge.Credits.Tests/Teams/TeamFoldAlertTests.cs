using MediaForge.Credits.Events;
using MediaForge.Credits.Teams;
using MediaForge.Credits.Tests.Events;
using MediaForge.Credits.Tests.Infrastructure;
using MediaForge.Credits.TopUps;
using static MediaForge.Credits.Tests.TopUps.TopUpScenario;

namespace MediaForge.Credits.Tests.Teams;

/// <summary>
/// A folded batch of team spends (decision 0044) raises what one-by-one spends would: the spend that takes the wallet
/// below the low-balance threshold raises one <see cref="LowBalance"/> at its own balance after, and one crossing the
/// wallet's auto top-up threshold makes one top-up. The first spend (15 → 12) is held at its wallet debit until two
/// more have queued; those two are folded (12 → 9, crossing the threshold of 10; 9 → 6). Image generation costs 3 credits.
/// </summary>
public abstract class TeamFoldAlertTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private TeamSetup? setup;

    [Fact]
    public async Task FoldedSpendsCrossingTheThreshold_RaiseOneLowBalanceAtTheCrossingSpendsBalance()
    {
        var (teamId, wallet) = await FoldedBatchAsync(topUp: false);

        var alert = Assert.Single(await Outbox.EventsAsync<LowBalance>(setup!.Services, wallet));
        Assert.Equal((9L, Threshold), (alert.Balance, alert.Threshold));
        Assert.Equal((6L, 6L), await setup.WalletAsync(teamId));
    }

    [Fact]
    public async Task FoldedSpendsCrossingTheAutoTopUpThreshold_MakeOneTopUpForTheWallet()
    {
        var (_, wallet) = await FoldedBatchAsync(topUp: true);

        var topUp = Assert.Single(await TopUpsAsync(setup!.Services, wallet));
        Assert.Equal((CreditTopUpStatus.Pending, PackCredits), (topUp.Status, topUp.Credits));
    }

    /// <summary>A team of three funded with 15, its wallet's auto top-up on when <paramref name="topUp"/>; the batch run and seen folded.</summary>
    private async Task<(string TeamId, string Wallet)> FoldedBatchAsync(bool topUp)
    {
        var probe = new TeamTransactionProbe();
        setup = new TeamSetup(database, configure: o =>
        {
            o.Events.LowBalanceThreshold = Threshold;
            o.AutoTopUp.SettingsCacheDuration = TimeSpan.Zero;
        }, configureContext: o => o.AddInterceptors(probe, probe.Commands));
        var (teamId, owner) = await setup.TeamAsync();
        var wallet = CreditWalletAccounts.TeamAccount(teamId);
        List<string> members = [owner, await setup.MemberAsync(teamId, owner), await setup.MemberAsync(teamId, owner)];
        await setup.FundAsync(teamId, 15);
        if (topUp)
        {
            await EnableAsync(setup.Services, wallet, 0);
        }

        probe.Arm(wallet);
        var results = await setup.RunBatchAsync(teamId, probe, members[0], [members[1], members[2]]);

        Assert.All(results, r => Assert.True(r.Success));
        Assert.Equal(2, probe.WalletDebits);
        return (teamId, wallet);
    }
}

public sealed class SqliteTeamFoldAlertTests(SqliteCreditsDatabase database) : TeamFoldAlertTests<SqliteCreditsDatabase>(database);

public sealed class PostgresTeamFoldAlertTests(PostgresCreditsDatabase database) : TeamFoldAlertTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbTeamFoldAlertTests(MariaDbCreditsDatabase database) : TeamFoldAlertTests<MariaDbCreditsDatabase>(database);
