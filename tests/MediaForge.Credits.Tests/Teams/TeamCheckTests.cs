using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace MediaForge.Credits.Tests.Teams;

/// <summary>
/// <see cref="ICreditService.CheckCreditsAsync"/> on a team's wallet: what a member could spend on one use now (the
/// wallet's credits up to the limit's headroom, plus the member's own unless the policy is TeamOnly), and which of the
/// pool or the limit is short. Image generation costs 3 credits.
/// </summary>
public abstract class TeamCheckTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private TeamSetup Setup(CreditTeamFundingPolicy policy = CreditTeamFundingPolicy.TeamOnly) =>
        new(database, configure: o => o.Teams.FundingPolicy = policy);

    private static Task<CreditCheckResult> CheckAsync(TeamSetup setup, string teamId, string member) =>
        setup.Credits(c => c.CheckCreditsAsync(member, "image-generation", "default", wallet: CreditWallet.Team(teamId)));

    /// <summary>A team whose pool has <paramref name="pool"/> credits and a member with none of their own (and a limit, if given).</summary>
    private static async Task<(string TeamId, string Member)> MemberAsync(TeamSetup setup, long pool, long? limit = null)
    {
        var (teamId, owner) = await setup.TeamAsync();
        var member = await setup.MemberAsync(teamId, owner);
        if (limit is not null)
        {
            Assert.True((await setup.Teams(t => t.SetMemberLimitAsync(teamId, owner, member, limit))).Success);
        }

        await setup.FundAsync(teamId, pool);
        return (teamId, member);
    }

    private static (bool HasCredits, long Available, bool IsUnlimited, CreditDeductionError Error) Of(CreditCheckResult check) =>
        (check.HasCredits, check.Available, check.IsUnlimited, check.Error);

    [Fact]
    public async Task Check_PoolHoldingExactlyThePrice_HasCreditsAndIsNotUnlimited()
    {
        var setup = Setup();
        var (teamId, member) = await MemberAsync(setup, pool: 3);

        var check = await CheckAsync(setup, teamId, member);

        Assert.Equal((true, 3L, false, CreditDeductionError.None), Of(check));
        Assert.Equal(3L, check.Required);
    }

    [Fact]
    public async Task Check_NonMember_IsRefusedAndNotUnlimited()
    {
        var setup = Setup();
        var (teamId, _) = await MemberAsync(setup, pool: 100);

        var check = await CheckAsync(setup, teamId, TeamSetup.NewUser("stranger"));

        Assert.Equal((false, 0L, false, CreditDeductionError.NotTeamMember), Of(check));
    }

    [Fact]
    public async Task Check_ProductAdmin_IsUnlimitedWithThePoolAsAvailable()
    {
        var setup = Setup();
        var (teamId, owner) = await setup.TeamAsync();
        await setup.WithContextAsync(db => db.Users.Where(u => u.Id == owner).ExecuteUpdateAsync(s => s.SetProperty(u => u.IsAdmin, true)));
        await setup.FundAsync(teamId, 1);

        var check = await CheckAsync(setup, teamId, owner);

        Assert.Equal((true, 1L, true, CreditDeductionError.None), Of(check));
    }

    [Fact]
    public async Task Check_PoolTooLowWithoutALimit_TellsCreditsAreShort()
    {
        var setup = Setup();
        var (teamId, member) = await MemberAsync(setup, pool: 2);

        var check = await CheckAsync(setup, teamId, member);

        Assert.Equal((false, 2L, false, CreditDeductionError.InsufficientCredits), Of(check));
    }

    [Fact]
    public async Task Check_LimitShortAndPoolHoldingExactlyThePrice_TellsTheLimitIsWhatIsShort()
    {
        var setup = Setup();
        var (teamId, member) = await MemberAsync(setup, pool: 3, limit: 2);

        var check = await CheckAsync(setup, teamId, member);

        Assert.Equal((false, 2L, false, CreditDeductionError.MemberLimitReached), Of(check));
    }

    [Fact]
    public async Task Check_TeamOnly_LeavesTheMembersOwnCreditsOut()
    {
        var setup = Setup();
        var (teamId, member) = await setup.SplitTeamAsync(pool: 1, own: 10);

        var check = await CheckAsync(setup, teamId, member);

        Assert.Equal((false, 1L, false, CreditDeductionError.InsufficientCredits), Of(check));
    }

    [Fact]
    public async Task Check_PersonalFirst_AddsTheMembersOwnCreditsToThePool()
    {
        var setup = Setup(CreditTeamFundingPolicy.PersonalFirst);
        var (teamId, member) = await setup.SplitTeamAsync(pool: 1, own: 10);

        var check = await CheckAsync(setup, teamId, member);

        Assert.Equal((true, 11L, false, CreditDeductionError.None), Of(check));
    }

    [Fact]
    public async Task Check_PersonalFirstWithPoolAndOwnCoveringThePriceButNotTheLimit_TellsTheLimitIsWhatIsShort()
    {
        // The pool may give 1 (the limit), the member has 1: 2 of 3; without the limit the pool's 2 and the own 1 would do.
        var setup = Setup(CreditTeamFundingPolicy.PersonalFirst);
        var (teamId, member) = await setup.SplitTeamAsync(pool: 2, own: 1, limit: 1);

        var check = await CheckAsync(setup, teamId, member);

        Assert.Equal((false, 2L, false, CreditDeductionError.MemberLimitReached), Of(check));
    }

    [Fact]
    public async Task Check_TeamsOff_ThrowsNamingTheSettingToTurnOn()
    {
        var off = new TeamSetup(database, configure: o => o.Teams.Enabled = false);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => CheckAsync(off, TeamSetup.NewTeamId(), TeamSetup.NewUser("member")));

        Assert.Contains("MediaForge:Credits:Teams:Enabled", error.Message, StringComparison.Ordinal);
    }
}

public sealed class SqliteTeamCheckTests(SqliteCreditsDatabase database) : TeamCheckTests<SqliteCreditsDatabase>(database);

public sealed class PostgresTeamCheckTests(PostgresCreditsDatabase database) : TeamCheckTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbTeamCheckTests(MariaDbCreditsDatabase database) : TeamCheckTests<MariaDbCreditsDatabase>(database);
