using MediaForge.Credits.Teams;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace MediaForge.Credits.Tests.Teams;

/// <summary>
/// Which wallets a use of a team's wallet writes to and which limit counts it: no part of nothing on the member's own
/// ledger, no count of nothing against the limit, the member's own limit over the team's default, each team's limit
/// counting that team's uses only. Image generation costs 3 credits, video generation with Veo 2 costs 15.
/// </summary>
public abstract class TeamSpendingPartsTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private static DateTime CurrentPeriod() => CreditTeamPeriods.StartOf(TimeProvider.System.GetUtcNow(), null);

    /// <summary>Every ledger row of <paramref name="account"/>, as amounts.</summary>
    private static async Task<List<long>> LedgerAsync(TeamSetup setup, string account)
    {
        var amounts = new List<long>();
        await setup.WithContextAsync(async db => amounts.AddRange(await db.Transactions.AsNoTracking().Where(t => t.UserId == account)
            .OrderBy(t => t.CreatedAt).Select(t => t.Amount).ToListAsync()));
        return amounts;
    }

    [Fact]
    public async Task Deduct_TeamOnly_WritesNoRowOnTheMembersOwnLedger()
    {
        var setup = new TeamSetup(database);
        var (teamId, owner) = await setup.TeamAsync();
        var member = await setup.MemberAsync(teamId, owner);
        await setup.FundAsync(teamId, 10);

        Assert.True((await setup.SpendAsync(teamId, member)).Success);

        Assert.Empty(await LedgerAsync(setup, member));
        Assert.Equal([10L, -3L], await LedgerAsync(setup, CreditWalletAccounts.TeamAccount(teamId)));
    }

    [Fact]
    public async Task Deduct_PersonalFirstPaidByOwnCreditsWhileTheCountIsOverALoweredLimit_IsCharged()
    {
        // The member spent 15 of the pool under a limit of 15; the owner then lowered it to 5. A use the member's own
        // credits pay in full takes nothing from the pool, so the limit has nothing to refuse and the count stays.
        var setup = new TeamSetup(database, configure: o => o.Teams.FundingPolicy = CreditTeamFundingPolicy.PersonalFirst);
        var (teamId, owner) = await setup.TeamAsync();
        var member = await setup.MemberAsync(teamId, owner);
        Assert.True((await setup.Teams(t => t.SetMemberLimitAsync(teamId, owner, member, 15))).Success);
        await setup.FundAsync(teamId, 100);
        await setup.GrantAsync(member, 1);
        Assert.True((await setup.SpendAsync(teamId, member, "video-generation", "veo2")).Success);
        Assert.True((await setup.Teams(t => t.SetMemberLimitAsync(teamId, owner, member, 5))).Success);
        await setup.GrantAsync(member, 3);

        var result = await setup.SpendAsync(teamId, member);

        Assert.Equal((true, 3L), (result.Success, result.CreditsDeducted));
        Assert.Equal((0L, 0L), await setup.OwnAsync(member));
        Assert.Equal(14L, await setup.SpentAsync(teamId, member, CurrentPeriod()));
    }

    [Fact]
    public async Task Deduct_MemberLimitAboveTheTeamDefault_CountsUpToTheMembersOwn()
    {
        var setup = new TeamSetup(database);
        var (teamId, owner) = await setup.TeamAsync();
        var member = await setup.MemberAsync(teamId, owner);
        await setup.FundAsync(teamId, 100);
        Assert.True((await setup.Teams(t => t.SetDefaultMemberLimitAsync(teamId, owner, 3))).Success);
        Assert.True((await setup.Teams(t => t.SetMemberLimitAsync(teamId, owner, member, 6))).Success);

        var results = new[] { await setup.SpendAsync(teamId, member), await setup.SpendAsync(teamId, member), await setup.SpendAsync(teamId, member) };

        Assert.Equal([CreditDeductionError.None, CreditDeductionError.None, CreditDeductionError.MemberLimitReached], results.Select(r => r.Error));
        Assert.Equal(6L, await setup.SpentAsync(teamId, member, CurrentPeriod()));
        Assert.Equal((94L, 94L), await setup.WalletAsync(teamId));
    }

    [Fact]
    public async Task Deduct_MemberOfTwoTeams_EachTeamsWalletCountsAgainstThatTeamsLimitOnly()
    {
        // Limited to 3 in the first team, unlimited in the second: the second use of the first wallet is refused, a use
        // of the second wallet is not.
        var setup = new TeamSetup(database);
        var ((limited, owner), (unlimited, otherOwner)) = (await setup.TeamAsync(), await setup.TeamAsync());
        var member = await setup.MemberAsync(limited, owner);
        Assert.Equal(CreditTeamError.None, (await setup.Teams(t => t.AddMemberAsync(unlimited, otherOwner, member))).Error);
        Assert.True((await setup.Teams(t => t.SetMemberLimitAsync(limited, owner, member, 3))).Success);
        await setup.FundAsync(limited, 100);
        await setup.FundAsync(unlimited, 100);

        var results = new[] { await setup.SpendAsync(limited, member), await setup.SpendAsync(limited, member), await setup.SpendAsync(unlimited, member) };

        Assert.Equal([CreditDeductionError.None, CreditDeductionError.MemberLimitReached, CreditDeductionError.None], results.Select(r => r.Error));
        Assert.Equal((3L, 3L), (await setup.SpentAsync(limited, member, CurrentPeriod()), await setup.SpentAsync(unlimited, member, CurrentPeriod())));
    }
}

public sealed class SqliteTeamSpendingPartsTests(SqliteCreditsDatabase database) : TeamSpendingPartsTests<SqliteCreditsDatabase>(database);

public sealed class PostgresTeamSpendingPartsTests(PostgresCreditsDatabase database) : TeamSpendingPartsTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbTeamSpendingPartsTests(MariaDbCreditsDatabase database) : TeamSpendingPartsTests<MariaDbCreditsDatabase>(database);
