using System.Data.Common;
using MediaForge.Credits.Ledger;
using MediaForge.Credits.Teams;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace MediaForge.Credits.Tests.Teams;

/// <summary>
/// The guard after a team deduction's debit: the member's count is raised by a conditional update that cannot fail
/// (its headroom was read under the member's row lock). Should it fail all the same (here the member's limit is set to
/// 0, or the count of this period raised, in the deduction's own transaction just before that update), the deduction
/// throws and rolls back rather than charge past the limit, folded or alone; a team hold likewise holds nothing. Image
/// generation costs 3 credits.
/// </summary>
public abstract class TeamCountGuardTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private const int BatchRolledBackEvent = 1006;
    private readonly FakeLogCollector logs = new();
    private TeamSetup? setup;

    [Fact]
    public async Task Deduct_CountRefusedAfterTheDebit_ThrowsNamingTheMemberAndChargesNothing()
    {
        var (teamId, members, probe) = await StartAsync(memberCount: 1);
        probe.Release();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => setup!.SpendAsync(teamId, members[0]));

        Assert.Equal($"The limit of member '{members[0]}' of team '{teamId}' changed under its row lock.", error.Message);
        Assert.Equal((100L, 100L), await setup!.WalletAsync(teamId));
    }

    [Fact]
    public async Task Reserve_CountRefusedAfterTheHold_ThrowsNamingTheMemberAndHoldsNothing()
    {
        var (teamId, members, probe) = await StartAsync(memberCount: 1);
        probe.Release();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => setup!.Holds(h => h.ReserveCreditsAsync(
            members[0], "image-generation", "default", TimeSpan.FromMinutes(5), wallet: CreditWallet.Team(teamId))));

        Assert.Equal($"The limit of member '{members[0]}' of team '{teamId}' changed under its row lock.", error.Message);
        var wallet = await setup!.Teams(t => t.GetBalanceAsync(teamId));
        Assert.Equal((100L, 100L), (wallet!.Balance, wallet.Available));
    }

    [Fact]
    public async Task FoldedDeductions_CountRefusedAfterTheDebit_RollBackTheBatchNamingTheMember_AndChargeNothing()
    {
        var (teamId, members, probe) = await StartAsync(memberCount: 3, guarded: 1);

        var queued = await FoldBehindTheFirstAsync(teamId, members, probe);

        await Assert.ThrowsAsync<InvalidOperationException>(() => queued[0].WaitAsync(Patience));
        Assert.True((await queued[1].WaitAsync(Patience)).Success);
        Assert.Contains(logs.GetSnapshot(), r => r.Id.Id == BatchRolledBackEvent
            && r.Message.EndsWith($"The limit of member '{members[1]}' of team '{teamId}' changed under its row lock.", StringComparison.Ordinal));
        Assert.Equal((94L, 94L), await setup!.WalletAsync(teamId));
    }

    [Fact]
    public async Task FoldedDeductions_CountRefusedForTwoMembers_RollBackNamingBoth()
    {
        var (teamId, members, probe) = await StartAsync(memberCount: 3, guarded: 1, watchedCount: 2);

        var queued = await FoldBehindTheFirstAsync(teamId, members, probe);

        foreach (var spend in queued)
        {
            await Assert.ThrowsAsync<InvalidOperationException>(() => spend.WaitAsync(Patience));
        }

        Assert.Contains(logs.GetSnapshot(), r => r.Id.Id == BatchRolledBackEvent
            && r.Message.EndsWith($"The limit of member '{members[1]}', '{members[2]}' of team '{teamId}' changed under its row lock.", StringComparison.Ordinal));
        Assert.Equal((97L, 97L), await setup!.WalletAsync(teamId));
    }

    [Fact]
    public async Task Deduct_CountOfThisPeriodRaisedBeforeTheCount_ThrowsAndChargesNothing()
    {
        // Limit 6, 3 spent this period: the second use fits, but the count finds 4 spent.
        var (teamId, members, probe) = await StartAsync(memberCount: 1, raiseCount: true);
        probe.Release();

        await Assert.ThrowsAsync<InvalidOperationException>(() => setup!.SpendAsync(teamId, members[0]));

        Assert.Equal((97L, 97L), await setup!.WalletAsync(teamId));
    }

    [Fact]
    public async Task FoldedDeductions_CountOfThisPeriodRaisedBeforeTheCount_RollBackTheBatchNamingTheMember()
    {
        var (teamId, members, probe) = await StartAsync(memberCount: 3, guarded: 1, raiseCount: true);

        var queued = await FoldBehindTheFirstAsync(teamId, members, probe);

        await Assert.ThrowsAsync<InvalidOperationException>(() => queued[0].WaitAsync(Patience));
        Assert.Contains(logs.GetSnapshot(), r => r.Id.Id == BatchRolledBackEvent
            && r.Message.EndsWith($"The limit of member '{members[1]}' of team '{teamId}' changed under its row lock.", StringComparison.Ordinal));
    }

    /// <summary>The first member's spend held at its wallet debit while the others queue behind it (to be folded), then released: the queued spends.</summary>
    private async Task<List<Task<CreditDeductionResult>>> FoldBehindTheFirstAsync(string teamId, List<string> members, TeamTransactionProbe probe)
    {
        var first = Task.Run(() => setup!.SpendAsync(teamId, members[0]));
        await probe.HeldAsync();
        var queued = await setup!.QueueSpendsAsync(teamId, members.Skip(1));
        probe.Release();
        Assert.True((await first.WaitAsync(Patience)).Success);
        return queued;
    }

    /// <summary>
    /// A team with a pool of 100 and its members; the count update of the watched ones (<paramref name="watchedCount"/>
    /// from index <paramref name="guarded"/>) finds their limit set to 0, or with <paramref name="raiseCount"/> (each
    /// member limited to 6 and having spent 3 this period first) their count raised by 1.
    /// </summary>
    private async Task<(string TeamId, List<string> Members, TeamTransactionProbe Probe)> StartAsync(int memberCount, int guarded = 0, int watchedCount = 1,
        bool raiseCount = false)
    {
        var probe = new TeamTransactionProbe();
        setup = new TeamSetup(database, configureContext: o => o.AddInterceptors(probe, probe.Commands),
            configureServices: s => s.AddLogsTo(logs));
        var (teamId, owner) = await setup.TeamAsync();
        var members = new List<string>();
        for (var i = 0; i < memberCount; i++)
        {
            members.Add(await setup.MemberAsync(teamId, owner));
        }

        await setup.FundAsync(teamId, 100);
        if (raiseCount)
        {
            foreach (var member in members)
            {
                Assert.True((await setup.Teams(t => t.SetMemberLimitAsync(teamId, owner, member, 6))).Success);
                Assert.True((await setup.SpendAsync(teamId, member)).Success);
            }
        }

        var watched = members.Skip(guarded).Take(watchedCount).ToList();
        var change = raiseCount ? "period_spent = period_spent + 1" : "spend_limit = 0";
        probe.BeforeCommand = command => ChangeBeforeCountAsync(command, teamId, watched, change);
        probe.Arm(CreditWalletAccounts.TeamAccount(teamId));
        return (teamId, members, probe);
    }

    /// <summary>Before a count update of watched members (the only statement on the member rows that reads the limit), applies <paramref name="change"/> to their rows in the same transaction.</summary>
    private static async Task ChangeBeforeCountAsync(DbCommand command, string teamId, IReadOnlyList<string> watched, string change)
    {
        var text = InterceptedCommand.Text(command);
        if (!text.Contains("UPDATE credit_team_members", StringComparison.Ordinal) || !text.Contains("spend_limit", StringComparison.Ordinal))
        {
            return;
        }

        foreach (var member in watched.Where(m => InterceptedCommand.CarriesAmong(command, m)))
        {
            await using var changing = command.Connection!.CreateCommand();
            changing.Transaction = command.Transaction;
            changing.CommandText = $"UPDATE credit_team_members SET {change} WHERE team_id = '{teamId}' AND user_id = '{member}'";
            await changing.ExecuteNonQueryAsync();
        }
    }
}

public sealed class SqliteTeamCountGuardTests(SqliteCreditsDatabase database) : TeamCountGuardTests<SqliteCreditsDatabase>(database);

public sealed class PostgresTeamCountGuardTests(PostgresCreditsDatabase database) : TeamCountGuardTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbTeamCountGuardTests(MariaDbCreditsDatabase database) : TeamCountGuardTests<MariaDbCreditsDatabase>(database);
