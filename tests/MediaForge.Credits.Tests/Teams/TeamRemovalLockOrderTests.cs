using MediaForge.Credits.Tests.Infrastructure;

namespace MediaForge.Credits.Tests.Teams;

/// <summary>
/// On MariaDB a member's spend takes the team row's shared lock before the member's row (decision 0042): InnoDB's
/// limit check reads the team row with a shared lock anyway, and taken after the member's row that read would wait
/// on a removal holding the team row while the removal waits on the member's row (a deadlock, whose victim is run
/// again). Each case starts the spend right after the removal changed the team row, and lets the removal go on once
/// the spend waits (or has ended): the spend waits, finds the member removed, and no statement fails. MariaDB only:
/// PostgreSQL does not lock a row its subquery reads. Should the probe see no wait (decision 0051), the removal goes on
/// after 10 seconds: the case then shows nothing about the order, but passes.
/// </summary>
public abstract class TeamRemovalLockOrderTests<TDatabase> : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private readonly TDatabase database;

    protected TeamRemovalLockOrderTests(TDatabase database) => this.database = database;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task RemovingAMember_TheirSpendArrivingMeanwhile_WaitsWithoutADeadlock_AndIsRefused(bool coalesce)
    {
        var failed = new FailedCommands();
        var next = new AnotherCallAfterTheNextWrite(database, "credit_teams");
        var setup = new TeamSetup(database, configure: o => o.CoalesceDeductions = coalesce, configureContext: o => o.AddInterceptors(next, failed));
        var (teamId, owner) = await setup.TeamAsync();
        var member = await setup.MemberAsync(teamId, owner);
        await setup.FundAsync(teamId, 100);
        Task<CreditDeductionResult>? spend = null;
        next.Call = () => spend = setup.SpendAsync(teamId, member);

        Assert.True((await setup.Teams(t => t.RemoveMemberAsync(teamId, owner, member))).Success);
        await next.Started;

        Assert.Empty(failed.Errors);
        Assert.Equal(CreditDeductionError.NotTeamMember, (await spend!).Error);
        Assert.Equal((100L, 100L), await setup.WalletAsync(teamId));
    }
}

public sealed class MariaDbTeamRemovalLockOrderTests(MariaDbCreditsDatabase database) : TeamRemovalLockOrderTests<MariaDbCreditsDatabase>(database);
