using MediaForge.Credits.Entities;
using MediaForge.Credits.Teams;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace MediaForge.Credits.Tests.Teams;

/// <summary>
/// Spending from a team's wallet (<see cref="CreditWallet.Team"/>), one behaviour per test: members only, frozen teams
/// refused, the member's limit checked and counted with the debit, attribution on one usage log, admins unlimited, keys
/// replayed once. Image generation costs 3 credits.
/// </summary>
public abstract class TeamSpendingTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private readonly TeamSetup setup = new(database);

    [Fact]
    public async Task Deduct_MemberWithTeamWallet_ChargesTheWalletAndLogsTheMember()
    {
        var (teamId, owner) = await setup.TeamAsync();
        var member = await setup.MemberAsync(teamId, owner);
        await setup.FundAsync(teamId, 10);

        var result = await setup.SpendAsync(teamId, member);

        Assert.Equal((true, 3L, 7L), (result.Success, result.CreditsDeducted, result.RemainingBalance));
        Assert.Equal((7L, 7L), await setup.WalletAsync(teamId));
        Assert.Equal([(member, 3L, false)], await setup.UsageAsync(teamId));
        Assert.Equal(0, await setup.UnbalancedUsageAsync(teamId));
        Assert.Equal(0L, (await setup.OwnAsync(member)).Balance);
    }

    [Fact]
    public async Task Deduct_NonMember_IsRefusedAndChargesNothing()
    {
        var (teamId, _) = await setup.TeamAsync();
        await setup.FundAsync(teamId, 10);
        var stranger = TeamSetup.NewUser("stranger");

        var result = await setup.SpendAsync(teamId, stranger);

        Assert.Equal((false, CreditDeductionError.NotTeamMember, 0L), (result.Success, result.Error, result.RemainingBalance));
        Assert.Equal((10L, 10L), await setup.WalletAsync(teamId));
        Assert.Empty(await setup.UsageAsync(teamId));
    }

    [Fact]
    public async Task Deduct_UnknownTeam_IsRefusedAsNotAMember()
    {
        var result = await setup.SpendAsync(TeamSetup.NewTeamId(), TeamSetup.NewUser("member"));

        Assert.Equal(CreditDeductionError.NotTeamMember, result.Error);
    }

    [Fact]
    public async Task Deduct_RemovedMember_IsRefusedAtOnce()
    {
        var (teamId, owner) = await setup.TeamAsync();
        var member = await setup.MemberAsync(teamId, owner);
        await setup.FundAsync(teamId, 10);
        Assert.True((await setup.SpendAsync(teamId, member)).Success);

        Assert.True((await setup.Teams(t => t.RemoveMemberAsync(teamId, owner, member))).Success);
        var result = await setup.SpendAsync(teamId, member);

        Assert.Equal(CreditDeductionError.NotTeamMember, result.Error);
        Assert.Equal((7L, 7L), await setup.WalletAsync(teamId));
    }

    [Fact]
    public async Task Deduct_FrozenTeam_IsRefusedAsFrozen()
    {
        var (teamId, owner) = await setup.TeamAsync();
        await setup.FundAsync(teamId, 10);
        await setup.WithContextAsync(db => db.Set<CreditTeamRow>().Where(t => t.Id == teamId)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.Status, CreditTeamStatus.Frozen)));

        var result = await setup.SpendAsync(teamId, owner);

        Assert.Equal(CreditDeductionError.TeamFrozen, result.Error);
        Assert.Equal((10L, 10L), await setup.WalletAsync(teamId));
    }

    [Fact]
    public async Task Deduct_OverTheMembersLimit_IsRefusedAndTheCountStays()
    {
        var (teamId, owner) = await setup.TeamAsync();
        var member = await setup.MemberAsync(teamId, owner);
        await setup.FundAsync(teamId, 100);
        Assert.True((await setup.Teams(t => t.SetMemberLimitAsync(teamId, owner, member, 7))).Success);
        var period = CreditTeamPeriods.StartOf(TimeProvider.System.GetUtcNow(), null);

        var results = new[] { await setup.SpendAsync(teamId, member), await setup.SpendAsync(teamId, member), await setup.SpendAsync(teamId, member) };

        Assert.Equal([CreditDeductionError.None, CreditDeductionError.None, CreditDeductionError.MemberLimitReached], results.Select(r => r.Error));
        Assert.Equal(6L, await setup.SpentAsync(teamId, member, period));
        Assert.Equal((94L, 94L), await setup.WalletAsync(teamId));
    }

    [Fact]
    public async Task Deduct_TeamDefaultLimit_AppliesToMembersWithoutTheirOwn()
    {
        var (teamId, owner) = await setup.TeamAsync();
        var member = await setup.MemberAsync(teamId, owner);
        await setup.FundAsync(teamId, 100);
        Assert.True((await setup.Teams(t => t.SetDefaultMemberLimitAsync(teamId, owner, 5))).Success);

        var first = await setup.SpendAsync(teamId, member);
        var second = await setup.SpendAsync(teamId, member);

        Assert.Equal((CreditDeductionError.None, CreditDeductionError.MemberLimitReached), (first.Error, second.Error));
    }

    [Fact]
    public async Task Deduct_PoolTooLow_IsRefusedAndNothingIsCounted()
    {
        var (teamId, owner) = await setup.TeamAsync();
        await setup.FundAsync(teamId, 2);
        var period = CreditTeamPeriods.StartOf(TimeProvider.System.GetUtcNow(), null);

        var result = await setup.SpendAsync(teamId, owner);

        Assert.Equal((CreditDeductionError.InsufficientCredits, 2L), (result.Error, result.RemainingBalance));
        Assert.Equal(0L, await setup.SpentAsync(teamId, owner, period));
    }

    [Fact]
    public async Task Deduct_ProductAdmin_IsUnlimitedAndLoggedOnTheWallet()
    {
        var (teamId, owner) = await setup.TeamAsync();
        await setup.WithContextAsync(db => db.Users.Where(u => u.Id == owner).ExecuteUpdateAsync(s => s.SetProperty(u => u.IsAdmin, true)));
        await setup.FundAsync(teamId, 1);

        var result = await setup.SpendAsync(teamId, owner);

        Assert.Equal((true, 0L, 1L), (result.Success, result.CreditsDeducted, result.RemainingBalance));
        Assert.Equal([(owner, 0L, true)], await setup.UsageAsync(teamId));
        Assert.Equal((1L, 1L), await setup.WalletAsync(teamId));
    }

    [Fact]
    public async Task Deduct_SameKeyTwice_ChargesOnceAndReplays()
    {
        var (teamId, owner) = await setup.TeamAsync();
        await setup.FundAsync(teamId, 10);

        var first = await setup.SpendAsync(teamId, owner, key: "job-1");
        var second = await setup.SpendAsync(teamId, owner, key: "job-1");

        Assert.Equal((false, true), (first.IsReplay, second.IsReplay));
        Assert.Equal(first.UsageLogId, second.UsageLogId);
        Assert.Equal((7L, 7L), await setup.WalletAsync(teamId));
    }

    [Fact]
    public async Task Deduct_SameKeyByAnotherMember_IsAConflict()
    {
        var (teamId, owner) = await setup.TeamAsync();
        var member = await setup.MemberAsync(teamId, owner);
        await setup.FundAsync(teamId, 10);
        Assert.True((await setup.SpendAsync(teamId, owner, key: "job-1")).Success);

        var other = await setup.SpendAsync(teamId, member, key: "job-1");

        Assert.Equal(CreditDeductionError.IdempotencyKeyConflict, other.Error);
        Assert.Equal((7L, 7L), await setup.WalletAsync(teamId));
    }

    [Fact]
    public async Task Deduct_SameKeyTwentyAtOnce_ChargesOnce()
    {
        var (teamId, owner) = await setup.TeamAsync();
        await setup.FundAsync(teamId, 100);

        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => setup.SpendAsync(teamId, owner, key: "job-race"))));

        Assert.All(results, r => Assert.True(r.Success));
        Assert.Single(results, r => !r.IsReplay);
        Assert.Single(results.Select(r => r.UsageLogId).Distinct());
        Assert.Equal((97L, 97L), await setup.WalletAsync(teamId));
    }

    [Fact]
    public async Task Deduct_TeamsOff_Throws()
    {
        var off = new TeamSetup(database, configure: o => o.Teams.Enabled = false);

        await Assert.ThrowsAsync<InvalidOperationException>(() => off.SpendAsync(TeamSetup.NewTeamId(), TeamSetup.NewUser("member")));
    }

    [Fact]
    public async Task Deduct_LimitReachedLastMonth_ResetsAtThePeriodBoundary()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 3, 31, 23, 59, 0, TimeSpan.Zero));
        var timed = new TeamSetup(database, clock);
        var (teamId, owner) = await timed.TeamAsync();
        var member = await timed.MemberAsync(teamId, owner);
        await timed.FundAsync(teamId, 100);
        Assert.True((await timed.Teams(t => t.SetMemberLimitAsync(teamId, owner, member, 3))).Success);
        Assert.True((await timed.SpendAsync(teamId, member)).Success);
        Assert.Equal(CreditDeductionError.MemberLimitReached, (await timed.SpendAsync(teamId, member)).Error);

        clock.Advance(TimeSpan.FromMinutes(1));
        var nextMonth = await timed.SpendAsync(teamId, member);

        Assert.True(nextMonth.Success);
        Assert.Equal(3L, await timed.SpentAsync(teamId, member, new DateTime(2026, 4, 1, 0, 0, 0, DateTimeKind.Utc)));
        Assert.Equal(CreditDeductionError.MemberLimitReached, (await timed.SpendAsync(teamId, member)).Error);
    }

    [Fact]
    public async Task Check_MemberNearTheLimit_TellsTheLimitIsWhatIsShort()
    {
        var (teamId, owner) = await setup.TeamAsync();
        var member = await setup.MemberAsync(teamId, owner);
        await setup.FundAsync(teamId, 100);
        Assert.True((await setup.Teams(t => t.SetMemberLimitAsync(teamId, owner, member, 2))).Success);

        var check = await setup.Credits(c => c.CheckCreditsAsync(member, "image-generation", "default", wallet: CreditWallet.Team(teamId)));
        var stranger = await setup.Credits(c => c.CheckCreditsAsync(TeamSetup.NewUser("x"), "image-generation", "default", wallet: CreditWallet.Team(teamId)));

        Assert.Equal((false, 2L, CreditDeductionError.MemberLimitReached), (check.HasCredits, check.Available, check.Error));
        Assert.Equal((false, 0L, CreditDeductionError.NotTeamMember), (stranger.HasCredits, stranger.Available, stranger.Error));
    }
}

public sealed class SqliteTeamSpendingTests(SqliteCreditsDatabase database) : TeamSpendingTests<SqliteCreditsDatabase>(database);

public sealed class PostgresTeamSpendingTests(PostgresCreditsDatabase database) : TeamSpendingTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbTeamSpendingTests(MariaDbCreditsDatabase database) : TeamSpendingTests<MariaDbCreditsDatabase>(database);
