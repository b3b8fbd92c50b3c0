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

        await AssertOneTopUpAsync(setup, wallet, noneFor: member);
    }

    [Fact]
    public async Task SplitSpend_CrossingTheMembersOwnThreshold_OneTopUpForTheMemberNoneForTheWallet()
    {
        // Of a Veo 2 video (15) the member's own 12 pay 12 (12 → 0: crossed), the pool 3 (100 → 97).
        var (setup, teamId, member, wallet) = await PersonalFirstWithTopUpsAsync();

        Assert.True((await setup.SpendAsync(teamId, member, "video-generation", "veo2")).Success);

        await AssertOneTopUpAsync(setup, member, noneFor: wallet);
    }

    [Fact]
    public async Task SplitHoldCaptured_CrossingTheMembersOwnThreshold_OneTopUpForTheMemberNoneForTheWallet()
    {
        // A hold of a Veo 2 video (15) holds the member's own 12 and 3 of the pool's; captured, the member's own go
        // 12 → 0 (crossed), the pool 100 → 97.
        var (setup, teamId, member, wallet) = await PersonalFirstWithTopUpsAsync();
        var hold = await setup.TeamHoldAsync(teamId, member);

        Assert.True((await setup.Holds(h => h.CaptureReservationAsync(hold.ReservationId!.Value))).Success);

        await AssertOneTopUpAsync(setup, member, noneFor: wallet);
    }

    /// <summary>Personal first: a member with 12 of their own and a pool of 100, auto top-up on for both wallets.</summary>
    private async Task<(TeamSetup Setup, string TeamId, string Member, string Wallet)> PersonalFirstWithTopUpsAsync()
    {
        var setup = new TeamSetup(database, configure: o =>
            (o.AutoTopUp.SettingsCacheDuration, o.Teams.FundingPolicy) = (TimeSpan.Zero, CreditTeamFundingPolicy.PersonalFirst));
        var (teamId, member) = await setup.FundedMemberAsync(pool: 100);
        var wallet = CreditWalletAccounts.TeamAccount(teamId);
        await EnableAsync(setup.Services, member, 12);
        await EnableAsync(setup.Services, wallet, 0);
        return (setup, teamId, member, wallet);
    }

    /// <summary>One pending top-up of the pack for <paramref name="wallet"/>, none for <paramref name="noneFor"/>.</summary>
    private static async Task AssertOneTopUpAsync(TeamSetup setup, string wallet, string noneFor)
    {
        var topUp = Assert.Single(await TopUpsAsync(setup.Services, wallet));
        Assert.Equal((CreditTopUpStatus.Pending, PackCredits), (topUp.Status, topUp.Credits));
        Assert.Empty(await TopUpsAsync(setup.Services, noneFor));
    }
}

public sealed class SqliteTeamTopUpTests(SqliteCreditsDatabase database) : TeamTopUpTests<SqliteCreditsDatabase>(database);

public sealed class PostgresTeamTopUpTests(PostgresCreditsDatabase database) : TeamTopUpTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbTeamTopUpTests(MariaDbCreditsDatabase database) : TeamTopUpTests<MariaDbCreditsDatabase>(database);
