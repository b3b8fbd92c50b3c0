using MediaForge.Credits.Teams;
using MediaForge.Credits.Tests.Infrastructure;
using MediaForge.Credits.Tests.Teams;
using MediaForge.Credits.TopUps;
using static MediaForge.Credits.Tests.TopUps.TopUpScenario;

namespace MediaForge.Credits.Tests.TopUps;

/// <summary>
/// A team's wallet tops up like a user's: a member's spend that crosses its threshold makes one top-up for the wallet; the
/// member's own part of a split spend, or of a captured split hold, that crosses the member's own threshold makes one
/// for the member.
/// </summary>
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

    [Fact]
    public async Task SplitSpend_CrossingTheMembersOwnThreshold_OneTopUpForTheMemberNoneForTheWallet()
    {
        // Personal first: of a Veo 2 video (15) the member's own 12 pay 12 (12 → 0: crossed), the pool 3 (100 → 97).
        var setup = new TeamSetup(database, configure: o =>
            (o.AutoTopUp.SettingsCacheDuration, o.Teams.FundingPolicy) = (TimeSpan.Zero, CreditTeamFundingPolicy.PersonalFirst));
        var (teamId, member) = await setup.FundedMemberAsync(pool: 100);
        var wallet = CreditWalletAccounts.TeamAccount(teamId);
        await EnableAsync(setup.Services, member, 12);
        await EnableAsync(setup.Services, wallet, 0);

        Assert.True((await setup.SpendAsync(teamId, member, "video-generation", "veo2")).Success);

        var topUp = Assert.Single(await TopUpsAsync(setup.Services, member));
        Assert.Equal((CreditTopUpStatus.Pending, PackCredits), (topUp.Status, topUp.Credits));
        Assert.Empty(await TopUpsAsync(setup.Services, wallet));
    }

    [Fact]
    public async Task SplitHoldCaptured_CrossingTheMembersOwnThreshold_OneTopUpForTheMemberNoneForTheWallet()
    {
        // Personal first: a hold of a Veo 2 video (15) holds the member's own 12 and 3 of the pool's; captured, the member's
        // own go 12 → 0 (crossed), the pool 100 → 97.
        var setup = new TeamSetup(database, configure: o =>
            (o.AutoTopUp.SettingsCacheDuration, o.Teams.FundingPolicy) = (TimeSpan.Zero, CreditTeamFundingPolicy.PersonalFirst));
        var (teamId, member) = await setup.FundedMemberAsync(pool: 100);
        var wallet = CreditWalletAccounts.TeamAccount(teamId);
        await EnableAsync(setup.Services, member, 12);
        await EnableAsync(setup.Services, wallet, 0);
        var hold = await setup.TeamHoldAsync(teamId, member);

        Assert.True((await setup.Holds(h => h.CaptureReservationAsync(hold.ReservationId!.Value))).Success);

        var topUp = Assert.Single(await TopUpsAsync(setup.Services, member));
        Assert.Equal((CreditTopUpStatus.Pending, PackCredits), (topUp.Status, topUp.Credits));
        Assert.Empty(await TopUpsAsync(setup.Services, wallet));
    }
}

public sealed class SqliteTeamTopUpTests(SqliteCreditsDatabase database) : TeamTopUpTests<SqliteCreditsDatabase>(database);

public sealed class PostgresTeamTopUpTests(PostgresCreditsDatabase database) : TeamTopUpTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbTeamTopUpTests(MariaDbCreditsDatabase database) : TeamTopUpTests<MariaDbCreditsDatabase>(database);
