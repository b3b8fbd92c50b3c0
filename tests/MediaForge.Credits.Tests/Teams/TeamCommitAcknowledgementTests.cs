using MediaForge.Credits.Tests.Infrastructure;

namespace MediaForge.Credits.Tests.Teams;

/// <summary>
/// A team spend whose COMMIT was applied but whose acknowledgement was lost is settled by its operation id (the id of
/// the first row it writes, chosen before the first attempt), never charged again: from the pool, from the member's own
/// credits alone (<see cref="CreditTeamFundingPolicy.PersonalFirst"/>), or split between them; with and without an
/// idempotency key, alone and through the group-commit batch (which takes team spends under
/// <see cref="CreditTeamFundingPolicy.TeamOnly"/> only). A Veo 2 video costs 15 credits.
/// </summary>
public abstract class TeamCommitAcknowledgementTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private readonly CommitFault fault = new();

    public static TheoryData<bool, bool> CoalescedAndKeyed => new() { { false, false }, { false, true }, { true, false }, { true, true } };

    private TeamSetup Setup(CreditTeamFundingPolicy policy, bool coalesce = true) =>
        new(database, configure: o => (o.Teams.FundingPolicy, o.CoalesceDeductions) = (policy, coalesce),
            configureContext: b => b.AddInterceptors(fault, fault.Commands));

    [Theory]
    [MemberData(nameof(CoalescedAndKeyed))]
    public async Task PoolSpend_CommitAcknowledgementLost_ChargesThePoolOnce(bool coalesce, bool keyed)
    {
        var setup = Setup(CreditTeamFundingPolicy.TeamOnly, coalesce);
        var (teamId, owner) = await setup.TeamAsync();
        var member = await setup.MemberAsync(teamId, owner);
        await setup.FundAsync(teamId, 100);

        var result = await SpendWithTheAcknowledgementLostAsync(setup, teamId, member, keyed);

        Assert.Equal((true, false, 15L, 85L), (result.Success, result.IsReplay, result.CreditsDeducted, result.RemainingBalance));
        Assert.Equal((85L, 85L), await setup.WalletAsync(teamId));
        Assert.Equal([(member, 15L, false)], await setup.UsageAsync(teamId));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task SpendPaidByOwnCredits_CommitAcknowledgementLost_ChargesTheMemberOnce(bool keyed)
    {
        var setup = Setup(CreditTeamFundingPolicy.PersonalFirst);
        var (teamId, member) = await setup.SplitTeamAsync(pool: 100, own: 20);

        var result = await SpendWithTheAcknowledgementLostAsync(setup, teamId, member, keyed);

        Assert.Equal((true, false, 15L, 5L), (result.Success, result.IsReplay, result.CreditsDeducted, result.RemainingBalance));
        Assert.Equal((5L, 5L), await setup.OwnAsync(member));
        Assert.Equal((100L, 100L), await setup.WalletAsync(teamId));
        Assert.Equal([(member, 15L, false)], await setup.UsageAsync(teamId));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task SpendSplitBetweenOwnCreditsAndThePool_CommitAcknowledgementLost_ChargesEachOnce(bool keyed)
    {
        var setup = Setup(CreditTeamFundingPolicy.PersonalFirst);
        var (teamId, member) = await setup.SplitTeamAsync(pool: 100, own: 10);

        var result = await SpendWithTheAcknowledgementLostAsync(setup, teamId, member, keyed);

        Assert.Equal((true, false, 15L, 95L), (result.Success, result.IsReplay, result.CreditsDeducted, result.RemainingBalance));
        Assert.Equal((0L, 0L), await setup.OwnAsync(member));
        Assert.Equal((95L, 95L), await setup.WalletAsync(teamId));
        Assert.Equal(0, await setup.UnbalancedUsageAsync(teamId));
    }

    private async Task<CreditDeductionResult> SpendWithTheAcknowledgementLostAsync(TeamSetup setup, string teamId, string member, bool keyed)
    {
        fault.Arm(CommitFaultKind.AcknowledgementLost);
        var result = await setup.SpendAsync(teamId, member, "video-generation", "veo2", keyed ? "render-1" : null);
        Assert.Equal(1, fault.Struck);
        return result;
    }
}

public sealed class SqliteTeamCommitAcknowledgementTests(SqliteCreditsDatabase database) : TeamCommitAcknowledgementTests<SqliteCreditsDatabase>(database);

public sealed class PostgresTeamCommitAcknowledgementTests(PostgresCreditsDatabase database) : TeamCommitAcknowledgementTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbTeamCommitAcknowledgementTests(MariaDbCreditsDatabase database) : TeamCommitAcknowledgementTests<MariaDbCreditsDatabase>(database);
