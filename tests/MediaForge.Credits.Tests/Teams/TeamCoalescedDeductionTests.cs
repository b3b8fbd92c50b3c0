using System.Data.Common;
using MediaForge.Credits.Ledger;
using MediaForge.Credits.Teams;
using MediaForge.Credits.Tests.Infrastructure;
using MediaForge.Credits.Tests.Torture;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace MediaForge.Credits.Tests.Teams;

/// <summary>
/// Team deductions in group commit (decision 0044): members' spends from one wallet that queue while another is being
/// written share the next transaction, each with its own limit check, count, ledger row, usage log and outcome. The first
/// spend is held at its wallet debit until the others have queued, so the batching is deterministic.
/// </summary>
public abstract class TeamCoalescedDeductionTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task TeamDeductions_QueuedWhileAnotherIsWritten_CommitTogetherInOneTransaction()
    {
        var (team, members, probe) = await StartAsync(pool: 300);

        var first = Spend(team.TeamId, members[0], null);
        await probe.HeldAsync();
        var queued = Enumerable.Range(1, 10).Select(i => Spend(team.TeamId, members[i % members.Count], null)).ToList();
        await QueuedAsync(10);
        probe.Release();
        var results = await Task.WhenAll([first, .. queued]).WaitAsync(Patience);

        Assert.All(results, r => Assert.True(r.Success));
        Assert.Equal((2, 2), (probe.Starts, probe.Commits));
        // The ten queued ones are folded into one debit of the wallet, each with its own ledger row and balance after it.
        Assert.Equal(2, probe.WalletDebits);
        Assert.Equal(Enumerable.Range(1, 11).Select(i => 300L - (3 * i)).Order(), results.Select(r => r.RemainingBalance).Order());
        Assert.Equal(Enumerable.Range(1, 11).Select(i => 300L - (3 * i)).Order(), await BalancesAfterAsync(team.TeamId));
        Assert.Equal((267L, 267L), await setup!.WalletAsync(team.TeamId));
        Assert.Equal(11, (await setup.UsageAsync(team.TeamId)).Count(u => u.Credits == 3));
        Assert.Equal(0, await setup.UnbalancedUsageAsync(team.TeamId));
        var period = CreditTeamPeriods.StartOf(TimeProvider.System.GetUtcNow(), null);
        for (var m = 0; m < members.Count; m++)
        {
            Assert.Equal(3L * Enumerable.Range(0, 11).Count(i => i % members.Count == m), await setup.SpentAsync(team.TeamId, members[m], period));
        }
    }

    [Fact]
    public async Task FoldedTeamDeductions_StopAtTheFirstThatDoesNotFit_AndTheRestAreRefusedAsOneByOne()
    {
        // Member 1 may spend 3 (one use); the pool covers five uses in all.
        var (team, members, probe) = await StartAsync(pool: 15, limits: [null, 3, null, null, null, null]);

        var first = Spend(team.TeamId, members[0], null);
        await probe.HeldAsync();
        var queued = new List<Task<CreditDeductionResult>>();
        foreach (var m in new[] { 1, 2, 1, 3, 4, 5, 2 })
        {
            queued.Add(Spend(team.TeamId, members[m], null));
            await QueuedAsync(queued.Count);
        }

        probe.Release();
        var results = await Task.WhenAll([first, .. queued]).WaitAsync(Patience);

        Assert.Equal([true, true, true, false, true, true, false, false], results.Select(r => r.Success));
        Assert.Equal(CreditDeductionError.MemberLimitReached, results[3].Error);
        Assert.Equal([CreditDeductionError.InsufficientCredits, CreditDeductionError.InsufficientCredits], results[6..].Select(r => r.Error));
        Assert.Equal([12L, 9, 6, 3, 0], results.Where(r => r.Success).Select(r => r.RemainingBalance));
        Assert.Equal((0L, 0L), await setup!.WalletAsync(team.TeamId));
        Assert.Equal((2, 2), (probe.Starts, probe.Commits));
    }

    [Fact]
    public async Task OneFailingDeductionInAFoldedBatch_FailsAlone_AndTheOthersAreCharged()
    {
        var (team, members, probe) = await StartAsync(pool: 300, failMember: 3);

        var first = Spend(team.TeamId, members[0], null);
        await probe.HeldAsync();
        var queued = Enumerable.Range(1, 5).Select(i => Spend(team.TeamId, members[i], null)).ToList();
        await QueuedAsync(5);
        probe.Release();
        await first.WaitAsync(Patience);

        await Assert.ThrowsAsync<InjectedFailureException>(() => queued[2].WaitAsync(Patience));
        var others = await Task.WhenAll(queued.Where((_, i) => i != 2)).WaitAsync(Patience);
        Assert.All(others, r => Assert.True(r.Success));
        Assert.Equal((285L, 285L), await setup!.WalletAsync(team.TeamId));
        Assert.Equal(5, (await setup.UsageAsync(team.TeamId)).Count);
        var period = CreditTeamPeriods.StartOf(TimeProvider.System.GetUtcNow(), null);
        Assert.Equal(0L, await setup.SpentAsync(team.TeamId, members[3], period));
    }

    [Fact]
    public async Task BatchedTeamDeductions_OverALimitOrThePool_AreRefusedEachOnItsOwn()
    {
        // A may spend 6 (two uses), B 9 (three); the pool covers four uses.
        var (team, members, probe) = await StartAsync(pool: 12, memberCount: 2, limits: [6, 9]);

        var first = Spend(team.TeamId, members[0], "job-0");
        await probe.HeldAsync();
        // Queued one after the other, so the batch's order is known.
        var queued = new List<Task<CreditDeductionResult>>();
        foreach (var member in new[] { members[0], members[0], members[1], members[1], members[1] })
        {
            queued.Add(Spend(team.TeamId, member, "job-" + (queued.Count + 1)));
            await QueuedAsync(queued.Count);
        }
        probe.Release();
        var results = await Task.WhenAll([first, .. queued]).WaitAsync(Patience);

        Assert.Equal([true, true, false, true, true, false], results.Select(r => r.Success));
        Assert.Equal(CreditDeductionError.MemberLimitReached, results[2].Error);
        Assert.Equal(CreditDeductionError.InsufficientCredits, results[5].Error);
        Assert.Equal(2, probe.Commits);
        Assert.Equal((0L, 0L), await setup!.WalletAsync(team.TeamId));
        var period = CreditTeamPeriods.StartOf(TimeProvider.System.GetUtcNow(), null);
        Assert.Equal((6L, 6L), (await setup.SpentAsync(team.TeamId, members[0], period), await setup.SpentAsync(team.TeamId, members[1], period)));
    }

    [Fact]
    public async Task QueuedTeamDeductionsRepeatingAKey_ChargeOnce_AndTheOthersReplayIt_WithoutRollingBackTheBatch()
    {
        var (team, members, probe) = await StartAsync(pool: 300);

        var first = Spend(team.TeamId, members[0], "job-0");
        await probe.HeldAsync();
        var queued = Enumerable.Range(0, 5).Select(_ => Spend(team.TeamId, members[1], "same-job")).ToList();
        await QueuedAsync(5);
        probe.Release();
        var results = await Task.WhenAll(queued).WaitAsync(Patience);
        await first.WaitAsync(Patience);

        Assert.All(results, r => Assert.True(r.Success));
        Assert.Single(results, r => !r.IsReplay);
        Assert.Single(results.Select(r => r.TransactionId).Distinct());
        Assert.Equal((2, 2), (probe.Starts, probe.Commits));
        Assert.Equal((294L, 294L), await setup!.WalletAsync(team.TeamId));
    }

    [Fact]
    public async Task OneFailingTeamDeductionInABatch_FailsAlone_AndTheOthersAreCharged()
    {
        var (team, members, probe) = await StartAsync(pool: 300, failKey: "job-3");

        var first = Spend(team.TeamId, members[0], "job-0");
        await probe.HeldAsync();
        var queued = Enumerable.Range(1, 5).Select(i => (Key: "job-" + i, Task: Spend(team.TeamId, members[i], "job-" + i))).ToList();
        await QueuedAsync(5);
        probe.Release();
        await first.WaitAsync(Patience);

        await Assert.ThrowsAsync<InjectedFailureException>(() => queued.Single(q => q.Key == "job-3").Task.WaitAsync(Patience));
        var others = await Task.WhenAll(queued.Where(q => q.Key != "job-3").Select(q => q.Task)).WaitAsync(Patience);
        Assert.All(others, r => Assert.True(r.Success));
        Assert.Equal((285L, 285L), await setup!.WalletAsync(team.TeamId));
        Assert.Equal(5, (await setup.UsageAsync(team.TeamId)).Count);
        var period = CreditTeamPeriods.StartOf(TimeProvider.System.GetUtcNow(), null);
        Assert.Equal(0L, await setup.SpentAsync(team.TeamId, members[3], period));
    }

    [Fact]
    public async Task TeamDeductions_UnderASplitPolicy_RunAloneEach()
    {
        var (team, members, probe) = await StartAsync(pool: 300, configure: o => o.Teams.FundingPolicy = CreditTeamFundingPolicy.TeamFirst);

        var first = Spend(team.TeamId, members[0], "job-0");
        await probe.HeldAsync();
        var others = Enumerable.Range(1, 4).Select(i => Spend(team.TeamId, members[i], "job-" + i)).ToList();
        await Task.Delay(200);
        Assert.Equal(0, setup!.Services.GetRequiredService<CreditDeductionBatcher>().Queued);
        probe.Release();
        var results = await Task.WhenAll([first, .. others]).WaitAsync(Patience);

        Assert.All(results, r => Assert.True(r.Success));
        Assert.Equal(5, probe.Commits);
        Assert.Equal((285L, 285L), await setup.WalletAsync(team.TeamId));
    }

    private TeamSetup? setup;

    private async Task<((string TeamId, string Owner) Team, List<string> Members, TeamTransactionProbe Probe)> StartAsync(long pool, int memberCount = 6,
        long?[]? limits = null, string? failKey = null, Action<CreditsOptions>? configure = null, int? failMember = null)
    {
        var probe = new TeamTransactionProbe(failKey);
        setup = new TeamSetup(database, configure: configure, configureContext: o => o.AddInterceptors(probe, probe.Commands));
        var team = await setup.TeamAsync();
        var members = new List<string>();
        for (var i = 0; i < memberCount; i++)
        {
            var member = await setup.MemberAsync(team.TeamId, team.Owner);
            members.Add(member);
            if (i == failMember)
            {
                probe.FailMember = member;
            }

            if (limits is not null)
            {
                Assert.True((await setup.Teams(t => t.SetMemberLimitAsync(team.TeamId, team.Owner, member, limits[i]))).Success);
            }
        }

        await setup.FundAsync(team.TeamId, pool);
        probe.Arm(CreditWalletAccounts.TeamAccount(team.TeamId));
        return (team, members, probe);
    }

    private Task<CreditDeductionResult> Spend(string teamId, string member, string? key) =>
        Task.Run(() => setup!.SpendAsync(teamId, member, key: key));

    /// <summary>The balance after each usage row of the wallet's ledger, in order.</summary>
    private async Task<List<long>> BalancesAfterAsync(string teamId)
    {
        await using var scope = setup!.Services.CreateAsyncScope();
        var account = CreditWalletAccounts.TeamAccount(teamId);
        return await scope.ServiceProvider.GetRequiredService<MediaForge.Credits.Storage.CreditsDbContext>().Transactions.AsNoTracking()
            .Where(t => t.UserId == account && t.Type == CreditTransactionType.Usage).Select(t => t.BalanceAfter).OrderBy(b => b).ToListAsync();
    }

    private async Task QueuedAsync(int count)
    {
        var batcher = setup!.Services.GetRequiredService<CreditDeductionBatcher>();
        using var deadline = new CancellationTokenSource(Patience);
        while (batcher.Queued < count)
        {
            await Task.Delay(5, deadline.Token);
        }
    }
}

public sealed class SqliteTeamCoalescedDeductionTests(SqliteCreditsDatabase database) : TeamCoalescedDeductionTests<SqliteCreditsDatabase>(database);

public sealed class PostgresTeamCoalescedDeductionTests(PostgresCreditsDatabase database) : TeamCoalescedDeductionTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbTeamCoalescedDeductionTests(MariaDbCreditsDatabase database) : TeamCoalescedDeductionTests<MariaDbCreditsDatabase>(database);
