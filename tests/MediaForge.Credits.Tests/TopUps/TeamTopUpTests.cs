using MediaForge.Credits.Teams;
using MediaForge.Credits.Tests.Infrastructure;
using MediaForge.Credits.Tests.Teams;
using MediaForge.Credits.TopUps;
using static MediaForge.Credits.Tests.TopUps.TopUpScenario;

namespace MediaForge.Credits.Tests.TopUps;

/// <summary>A team's wallet tops up like a user's: a member's spend that crosses its threshold makes one top-up for the wallet.</summary>
public abstract class TeamTopUpTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    [Fact]
    public async Task TeamSpend_CrossingTheWalletsThreshold_OneTopUpForTheTeamsWallet()
    {
        var setup = new TeamSetup(database, configure: o => o.AutoTopUp.SettingsCacheDuration = TimeSpan.Zero);
        var (teamId, owner) = await setup.TeamAsync();
        var member = await setup.MemberAsync(teamId, owner);
        var wallet = CreditWalletAccounts.TeamAccount(teamId);
        await setup.FundAsync(teamId, 12);
        await EnableAsync(setup.Services, wallet, 0);

        await setup.SpendAsync(teamId, member); // 9: crossed
        await setup.SpendAsync(teamId, member); // 6

        var topUp = Assert.Single(await TopUpsAsync(setup.Services, wallet));
        Assert.Equal((CreditTopUpStatus.Pending, PackCredits), (topUp.Status, topUp.Credits));
        Assert.Empty(await TopUpsAsync(setup.Services, member));
    }
}

public sealed class SqliteTeamTopUpTests(SqliteCreditsDatabase database) : TeamTopUpTests<SqliteCreditsDatabase>(database);

public sealed class PostgresTeamTopUpTests(PostgresCreditsDatabase database) : TeamTopUpTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbTeamTopUpTests(MariaDbCreditsDatabase database) : TeamTopUpTests<MariaDbCreditsDatabase>(database);
