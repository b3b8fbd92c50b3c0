using System.Data.Common;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace MediaForge.Credits.Tests.Teams;

/// <summary>
/// The funding policies: one use charged across the member's own wallet and the team's in one transaction, with one
/// usage log on the team's wallet; the limit counts only the team's part; a refusal or a failure after the first debit
/// charges nothing. Image generation costs 3 credits, video generation with Veo 2 costs 15.
/// </summary>
public abstract class TeamFundingPolicyTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private TeamSetup Setup(CreditTeamFundingPolicy policy, IInterceptor? interceptor = null) =>
        new(database, configure: o => o.Teams.FundingPolicy = policy,
            configureContext: interceptor is null ? null : b => b.AddInterceptors(interceptor));

    private static Task<CreditDeductionResult> Veo(TeamSetup setup, string teamId, string member) => setup.SpendAsync(teamId, member, "video-generation", "veo2");

    [Fact]
    public async Task Deduct_PersonalFirst_TakesTheMembersOwnThenThePool()
    {
        var setup = Setup(CreditTeamFundingPolicy.PersonalFirst);
        var (teamId, owner) = await setup.TeamAsync();
        await setup.GrantAsync(owner, 10);
        await setup.FundAsync(teamId, 100);

        var result = await Veo(setup, teamId, owner);

        Assert.Equal((true, 15L, 95L), (result.Success, result.CreditsDeducted, result.RemainingBalance));
        Assert.Equal((0L, 0L), await setup.OwnAsync(owner));
        Assert.Equal((95L, 95L), await setup.WalletAsync(teamId));
        Assert.Equal([(owner, 15L, false)], await setup.UsageAsync(teamId));
        Assert.Equal(0, await setup.UnbalancedUsageAsync(teamId));
        Assert.Equal(5L, await setup.SpentAsync(teamId, owner, CurrentPeriod()));
    }

    [Fact]
    public async Task Deduct_PersonalFirstCoveredByOwnCredits_LeavesThePoolAndTheLimitAlone()
    {
        var setup = Setup(CreditTeamFundingPolicy.PersonalFirst);
        var (teamId, owner) = await setup.TeamAsync();
        await setup.GrantAsync(owner, 20);
        await setup.FundAsync(teamId, 100);

        var result = await Veo(setup, teamId, owner);

        Assert.Equal((true, 5L), (result.Success, result.RemainingBalance));
        Assert.Equal((100L, 100L), await setup.WalletAsync(teamId));
        Assert.Equal(0L, await setup.SpentAsync(teamId, owner, CurrentPeriod()));
        Assert.Equal(0, await setup.UnbalancedUsageAsync(teamId));
    }

    [Fact]
    public async Task Deduct_TeamFirst_TakesThePoolUpToTheLimitThenTheMembersOwn()
    {
        var setup = Setup(CreditTeamFundingPolicy.TeamFirst);
        var (teamId, owner) = await setup.TeamAsync();
        var member = await setup.MemberAsync(teamId, owner);
        Assert.True((await setup.Teams(t => t.SetMemberLimitAsync(teamId, owner, member, 9))).Success);
        await setup.GrantAsync(member, 10);
        await setup.FundAsync(teamId, 100);

        var result = await Veo(setup, teamId, member);

        Assert.True(result.Success);
        Assert.Equal((91L, 91L), await setup.WalletAsync(teamId));
        Assert.Equal((4L, 4L), await setup.OwnAsync(member));
        Assert.Equal(9L, await setup.SpentAsync(teamId, member, CurrentPeriod()));
        Assert.Equal(0, await setup.UnbalancedUsageAsync(teamId));
    }

    [Fact]
    public async Task Deduct_TeamFirstWithAnEmptyPool_IsPaidByTheMembersOwn()
    {
        var setup = Setup(CreditTeamFundingPolicy.TeamFirst);
        var (teamId, owner) = await setup.TeamAsync();
        await setup.GrantAsync(owner, 20);

        var result = await Veo(setup, teamId, owner);

        Assert.Equal((true, 5L), (result.Success, result.RemainingBalance));
        Assert.Equal([(owner, 15L, false)], await setup.UsageAsync(teamId));
        Assert.Equal(0, await setup.UnbalancedUsageAsync(teamId));
    }

    [Fact]
    public async Task Deduct_PersonalFirstWithTooLittleInBoth_ChargesNeither()
    {
        var setup = Setup(CreditTeamFundingPolicy.PersonalFirst);
        var (teamId, owner) = await setup.TeamAsync();
        await setup.GrantAsync(owner, 10);
        await setup.FundAsync(teamId, 4);

        var result = await Veo(setup, teamId, owner);

        Assert.Equal(CreditDeductionError.InsufficientCredits, result.Error);
        Assert.Equal((10L, 10L), await setup.OwnAsync(owner));
        Assert.Equal((4L, 4L), await setup.WalletAsync(teamId));
        Assert.Empty(await setup.UsageAsync(teamId));
    }

    [Fact]
    public async Task Deduct_PersonalFirstOverTheLimitForTheTeamsPart_ChargesNeither()
    {
        var setup = Setup(CreditTeamFundingPolicy.PersonalFirst);
        var (teamId, owner) = await setup.TeamAsync();
        var member = await setup.MemberAsync(teamId, owner);
        Assert.True((await setup.Teams(t => t.SetMemberLimitAsync(teamId, owner, member, 4))).Success);
        await setup.GrantAsync(member, 10);
        await setup.FundAsync(teamId, 100);

        var result = await Veo(setup, teamId, member);

        Assert.Equal(CreditDeductionError.MemberLimitReached, result.Error);
        Assert.Equal((10L, 10L), await setup.OwnAsync(member));
        Assert.Equal((100L, 100L), await setup.WalletAsync(teamId));
    }

    [Theory]
    [InlineData(CreditTeamFundingPolicy.PersonalFirst)]
    [InlineData(CreditTeamFundingPolicy.TeamFirst)]
    public async Task Deduct_FailureAfterBothDebits_ChargesNothing(CreditTeamFundingPolicy policy)
    {
        var fault = new UsageInsertFault();
        var setup = Setup(policy, fault);
        var (teamId, owner) = await setup.TeamAsync();
        await setup.GrantAsync(owner, 10);
        await setup.FundAsync(teamId, 10);
        fault.Armed = true;

        await Assert.ThrowsAsync<InvalidOperationException>(() => Veo(setup, teamId, owner));

        fault.Armed = false;
        Assert.Equal((10L, 10L), await setup.OwnAsync(owner));
        Assert.Equal((10L, 10L), await setup.WalletAsync(teamId));
        Assert.Equal(0L, await setup.SpentAsync(teamId, owner, CurrentPeriod()));
        Assert.Empty(await setup.UsageAsync(teamId));
    }

    [Fact]
    public async Task Deduct_PersonalFirstTwentyMembersAtOnce_EachWalletEqualsItsLedgerAndNothingIsLost()
    {
        var setup = Setup(CreditTeamFundingPolicy.PersonalFirst);
        var (teamId, owner) = await setup.TeamAsync();
        var members = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            var member = await setup.MemberAsync(teamId, owner);
            await setup.GrantAsync(member, 10);
            members.Add(member);
        }

        await setup.FundAsync(teamId, 50);

        var results = await Task.WhenAll(members.SelectMany(m => new[] { m, m }).Select(m => Task.Run(() => Veo(setup, teamId, m))));

        // 40 asks of 15: the members' 200 own credits and the pool's 50 pay for 16 uses at most.
        var charged = results.Count(r => r.Success);
        var own = 0L;
        foreach (var member in members)
        {
            var (balance, sum) = await setup.OwnAsync(member);
            Assert.Equal(balance, sum);
            Assert.InRange(balance, 0, 10);
            own += balance;
        }

        var (pool, poolSum) = await setup.WalletAsync(teamId);
        Assert.Equal(pool, poolSum);
        Assert.InRange(pool, 0, 50);
        Assert.Equal(250L - (charged * 15), own + pool);
        Assert.Equal(charged, (await setup.UsageAsync(teamId)).Count);
        Assert.Equal(0, await setup.UnbalancedUsageAsync(teamId));
    }

    private static DateTime CurrentPeriod() => MediaForge.Credits.Teams.CreditTeamPeriods.StartOf(TimeProvider.System.GetUtcNow(), null);

    /// <summary>Fails the command that appends a usage log while armed: after the debits, before the commit.</summary>
    private sealed class UsageInsertFault : DbCommandInterceptor
    {
        public volatile bool Armed;

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            Fail(command);
            return base.ReaderExecutingAsync(command, eventData, result, cancellationToken);
        }

        public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            Fail(command);
            return base.NonQueryExecutingAsync(command, eventData, result, cancellationToken);
        }

        private void Fail(DbCommand command)
        {
            if (Armed && InterceptedCommand.Text(command).Contains("INSERT INTO usage_logs", StringComparison.Ordinal))
            {
                throw new InvalidOperationException("Injected failure before the usage log.");
            }
        }
    }
}

public sealed class SqliteTeamFundingPolicyTests(SqliteCreditsDatabase database) : TeamFundingPolicyTests<SqliteCreditsDatabase>(database);

public sealed class PostgresTeamFundingPolicyTests(PostgresCreditsDatabase database) : TeamFundingPolicyTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbTeamFundingPolicyTests(MariaDbCreditsDatabase database) : TeamFundingPolicyTests<MariaDbCreditsDatabase>(database);
