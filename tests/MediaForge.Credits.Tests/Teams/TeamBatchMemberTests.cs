using System.Data.Common;
using MediaForge.Credits.Entities;
using MediaForge.Credits.Ledger;
using MediaForge.Credits.Teams;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace MediaForge.Credits.Tests.Teams;

/// <summary>
/// The member rows of a group-commit batch's team deductions (decision 0048): one wallet's members locked by one
/// statement, each deduction still answered as one by one (removed members, strangers and a frozen team refused among
/// folded spends); the folded members counted by one statement per amount, each by its own sum. The first spend is
/// held at its wallet debit until the others have queued, so the batch and its order are known. Image generation costs
/// 3 credits.
/// </summary>
public abstract class TeamBatchMemberTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private TeamSetup? setup;

    [Fact]
    public async Task BatchWithARemovedMemberAndAStranger_RefusesThemAsNotMembers_AndChargesTheOthers()
    {
        var (teamId, members, probe) = await StartAsync(pool: 100, memberCount: 5, removed: 3);
        var stranger = TeamSetup.NewUser("stranger");

        var results = await setup!.RunBatchAsync(teamId, probe, members[0], [members[1], members[2], members[3], stranger, members[4]]);

        Assert.Equal([CreditDeductionError.None, CreditDeductionError.None, CreditDeductionError.None, CreditDeductionError.NotTeamMember,
            CreditDeductionError.NotTeamMember, CreditDeductionError.None], results.Select(r => r.Error));
        // The first alone, members 1 and 2 folded into one debit, member 4 (after the refusals) on its own.
        Assert.Equal(3, probe.WalletDebits);
        Assert.Equal((88L, 88L), await setup!.WalletAsync(teamId));
        Assert.Equal(new long[] { 3, 3, 3, 0, 3 }, await SpentAsync(teamId, members));
    }

    [Fact]
    public async Task BatchOfATeamFrozenUnderIt_RefusesEveryMemberAsFrozen()
    {
        var (teamId, members, probe) = await StartAsync(pool: 100, memberCount: 3);
        // The batch's first statement on a queued member's row finds the team frozen (in the batch's own transaction).
        var frozen = 0;
        probe.BeforeCommand = command => InterceptedCommand.Carries(command, members[1]) && Interlocked.Exchange(ref frozen, 1) == 0
            ? FreezeAsync(command, teamId) : Task.CompletedTask;

        var results = await setup!.RunBatchAsync(teamId, probe, members[0], [members[1], members[2], members[1]]);

        Assert.Equal([CreditDeductionError.None, CreditDeductionError.TeamFrozen, CreditDeductionError.TeamFrozen, CreditDeductionError.TeamFrozen],
            results.Select(r => r.Error));
        Assert.Equal((97L, 97L), await setup!.WalletAsync(teamId));
    }

    [Fact]
    public async Task FoldedMembersSpendingDifferentAmounts_AreEachCountedTheirOwnSum()
    {
        var (teamId, members, probe) = await StartAsync(pool: 300, memberCount: 5);

        var results = await setup!.RunBatchAsync(teamId, probe, members[0], [.. new[] { 1, 2, 1, 3, 2, 4, 1, 4 }.Select(i => members[i])]);

        Assert.All(results, r => Assert.True(r.Success));
        Assert.Equal(2, probe.WalletDebits);
        Assert.Equal(new long[] { 3, 9, 6, 3, 6 }, await SpentAsync(teamId, members));
    }

    [Fact]
    public async Task FoldedMembersWhoseCountsAreOfAnEarlierPeriod_StartCountingAgainFromZero()
    {
        // Both may spend 10 a period and spent 9 in the last one: this period's count restarts at 0 (no rollback, no rerun).
        var (teamId, members, probe) = await StartAsync(pool: 100, memberCount: 3, limit: 10);
        var period = CreditTeamPeriods.StartOf(TimeProvider.System.GetUtcNow(), null);
        await setup!.WithContextAsync(db => db.Set<CreditTeamMemberRow>().Where(m => m.TeamId == teamId && m.UserId != members[0])
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.PeriodSpent, 9L).SetProperty(m => m.PeriodStart, period.AddMonths(-1))));

        var results = await setup!.RunBatchAsync(teamId, probe, members[0], [members[1], members[2]]);

        Assert.All(results, r => Assert.True(r.Success));
        Assert.Equal((2, 2, 2), (probe.Starts, probe.Commits, probe.WalletDebits));
        Assert.Equal(new long[] { 3, 3, 3 }, await SpentAsync(teamId, members));
    }

    [Fact]
    public async Task FoldedBatchOfFourMembers_LocksTheirRowsInOneStatement_AndCountsThemInOnePerAmount()
    {
        var (teamId, members, probe) = await StartAsync(pool: 300, memberCount: 5);

        await setup!.RunBatchAsync(teamId, probe, members[0], [.. new[] { 1, 2, 1, 3, 2, 4, 1, 4 }.Select(i => members[i])]);

        // The first alone: its lock, headroom read and count. The batch: one lock, one read, one count per amount (9, 6, 3).
        Assert.Equal(3 + 1 + 1 + 3, probe.MemberStatements);
    }

    [Fact]
    public async Task FoldWhoseDebitFindsTheWalletLowered_FoldsNothing_AndChargesEachAsTheCreditsLeftAllow()
    {
        var (teamId, members, probe) = await StartAsync(pool: 100, memberCount: 3);
        var wallet = CreditWalletAccounts.TeamAccount(teamId);
        // The fold read 97 available; its debit of the two spends' sum (the wallet's second debit) finds 4, as after a lapse.
        var debits = 0;
        probe.BeforeCommand = command => InterceptedCommand.Text(command).Contains("UPDATE credits ", StringComparison.Ordinal)
            && InterceptedCommand.Text(command).Contains("reserved >=", StringComparison.Ordinal) && InterceptedCommand.Carries(command, wallet)
            && Interlocked.Increment(ref debits) == 2 ? LowerAsync(command, wallet, 4) : Task.CompletedTask;

        var results = await setup!.RunBatchAsync(teamId, probe, members[0], [members[1], members[2]]);

        Assert.Equal([CreditDeductionError.None, CreditDeductionError.None, CreditDeductionError.InsufficientCredits], results.Select(r => r.Error));
        Assert.Equal(1L, (await setup!.WalletAsync(teamId)).Balance);
    }

    private static Task LowerAsync(DbCommand command, string wallet, long balance) =>
        AlsoRunAsync(command, $"UPDATE credits SET balance = {balance} WHERE user_id = '{wallet}'");

    private static Task FreezeAsync(DbCommand command, string teamId) =>
        AlsoRunAsync(command, $"UPDATE credit_teams SET status = 'Frozen' WHERE id = '{teamId}'");

    /// <summary>Runs <paramref name="sql"/> in the intercepted <paramref name="command"/>'s transaction, before it.</summary>
    private static async Task AlsoRunAsync(DbCommand command, string sql)
    {
        await using var also = command.Connection!.CreateCommand();
        also.Transaction = command.Transaction;
        also.CommandText = sql;
        await also.ExecuteNonQueryAsync();
    }

    private async Task<long[]> SpentAsync(string teamId, IEnumerable<string> members)
    {
        var period = CreditTeamPeriods.StartOf(TimeProvider.System.GetUtcNow(), null);
        var spent = new List<long>();
        foreach (var member in members)
        {
            spent.Add(await setup!.SpentAsync(teamId, member, period));
        }

        return [.. spent];
    }

    /// <summary>A funded team and its members (under <paramref name="limit"/>; the one at <paramref name="removed"/>, if any, removed again), the probe armed.</summary>
    private async Task<(string TeamId, List<string> Members, TeamTransactionProbe Probe)> StartAsync(long pool, int memberCount, int? removed = null,
        long? limit = null)
    {
        (setup, var teamId, var members, var probe) = await TeamSetup.ProbedAsync(database, pool, memberCount, async (team, id, owner, added) =>
        {
            foreach (var member in limit is null ? [] : added)
            {
                Assert.True((await team.Teams(t => t.SetMemberLimitAsync(id, owner, member, limit))).Success);
            }

            if (removed is { } index)
            {
                Assert.True((await team.Teams(t => t.RemoveMemberAsync(id, owner, added[index]))).Success);
            }
        });
        return (teamId, members, probe);
    }
}

public sealed class SqliteTeamBatchMemberTests(SqliteCreditsDatabase database) : TeamBatchMemberTests<SqliteCreditsDatabase>(database);

public sealed class PostgresTeamBatchMemberTests(PostgresCreditsDatabase database) : TeamBatchMemberTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbTeamBatchMemberTests(MariaDbCreditsDatabase database) : TeamBatchMemberTests<MariaDbCreditsDatabase>(database);
