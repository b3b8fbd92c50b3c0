using MediaForge.Credits.Ledger;
using MediaForge.Credits.Teams;
using MediaForge.Credits.Tests.Infrastructure;

namespace MediaForge.Credits.Tests.Teams;

/// <summary>
/// Which team deductions of a group-commit batch are folded into one debit of the wallet (decision 0044): a prefix of
/// at least two that each fit the member's headroom and the wallet's credits, none by a product admin; the rest run one
/// by one. The first spend is held at its wallet debit until the others have queued, so the batch is known; what is
/// folded shows in the number of statements that debit the wallet. Image generation costs 3 credits.
/// </summary>
public abstract class TeamFoldTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private TeamSetup? setup;

    [Fact]
    public async Task TwoQueuedDeductionsEmptyingThePoolExactly_AreFoldedIntoOneDebit()
    {
        var (teamId, members, probe) = await StartAsync(pool: 9, memberCount: 3);

        var results = await setup!.RunBatchAsync(teamId, probe, members[0], [members[1], members[2]]);

        Assert.All(results, r => Assert.True(r.Success));
        Assert.Equal(2, probe.WalletDebits);
        Assert.Equal((0L, 0L), await setup!.WalletAsync(teamId));
    }

    [Fact]
    public async Task QueuedDeductionsOfOneMemberUpToItsLimitExactly_AreFoldedIntoOneDebit()
    {
        var (teamId, members, probe) = await StartAsync(pool: 100, memberCount: 2, limits: [null, 6]);

        var results = await setup!.RunBatchAsync(teamId, probe, members[0], [members[1], members[1]]);

        Assert.All(results, r => Assert.True(r.Success));
        Assert.Equal(2, probe.WalletDebits);
        Assert.Equal((91L, 91L), await setup!.WalletAsync(teamId));
    }

    [Fact]
    public async Task FoldedDeductions_TakeTheSumFromTheWalletsExpiringLot()
    {
        var (teamId, members, probe) = await StartAsync(pool: 9, memberCount: 3, expiresAt: DateTimeOffset.UtcNow.AddDays(30));

        await setup!.RunBatchAsync(teamId, probe, members[0], [members[1], members[2]]);

        Assert.Equal(2, probe.WalletDebits);
        var lots = await setup.LotsAsync(CreditWalletAccounts.TeamAccount(teamId));
        Assert.Equal(0L, lots.Sum(l => l.Remaining));
    }

    [Fact]
    public async Task QueuedDeductionsOverThePool_FoldThoseThatFit_AndTryTheRestAlone()
    {
        // After the first, the pool holds 7: two uses are folded (one debit), the third is refused on its own (its debit
        // tried twice: before and after writing the wallet's lapses).
        var (teamId, members, probe) = await StartAsync(pool: 10, memberCount: 4);

        var results = await setup!.RunBatchAsync(teamId, probe, members[0], [members[1], members[2], members[3]]);

        Assert.Equal([true, true, true, false], results.Select(r => r.Success));
        Assert.Equal(CreditDeductionError.InsufficientCredits, results[3].Error);
        Assert.Equal(4, probe.WalletDebits);
        Assert.Equal((1L, 1L), await setup!.WalletAsync(teamId));
    }

    [Fact]
    public async Task QueuedDeductionsWhoseFirstIsOverItsLimit_FoldNothing_AndRunOneByOne()
    {
        // Member 0 may spend 3 (one use): the first queued deduction does not fit, so no fold and no debit for one.
        var (teamId, members, probe) = await StartAsync(pool: 100, memberCount: 2, limits: [3, null]);

        var results = await setup!.RunBatchAsync(teamId, probe, members[0], [members[0], members[1]]);

        Assert.Equal([CreditDeductionError.None, CreditDeductionError.MemberLimitReached, CreditDeductionError.None], results.Select(r => r.Error));
        Assert.Equal(2, probe.WalletDebits);
        Assert.Equal((94L, 94L), await setup!.WalletAsync(teamId));
    }

    [Fact]
    public async Task QueuedDeductionsWithAProductAdmin_RunOneByOne_AndTheAdminIsNotCharged()
    {
        var admin = TeamSetup.NewUser("admin");
        var (teamId, members, probe) = await StartAsync(pool: 100, memberCount: 2, configure: o => o.AdminUserIds.Add(admin), extra: admin);

        var results = await setup!.RunBatchAsync(teamId, probe, members[0], [admin, members[1]]);

        Assert.All(results, r => Assert.True(r.Success));
        Assert.Equal(0L, results[1].CreditsDeducted);
        Assert.Equal((94L, 94L), await setup!.WalletAsync(teamId));
        Assert.Equal([(admin, 0L, true), (members[0], 3L, false), (members[1], 3L, false)], (await setup.UsageAsync(teamId)).OrderBy(u => u.Credits).ThenBy(u => u.Member == members[1]));
    }

    private async Task<(string TeamId, List<string> Members, TeamTransactionProbe Probe)> StartAsync(long pool, int memberCount,
        long?[]? limits = null, Action<CreditsOptions>? configure = null, string? extra = null, DateTimeOffset? expiresAt = null)
    {
        var probe = new TeamTransactionProbe();
        setup = new TeamSetup(database, configure: configure, configureContext: o => o.AddInterceptors(probe, probe.Commands));
        var (teamId, owner) = await setup.TeamAsync();
        var members = new List<string>();
        for (var i = 0; i < memberCount; i++)
        {
            members.Add(await setup.MemberAsync(teamId, owner));
            if (limits?[i] is { } limit)
            {
                Assert.True((await setup.Teams(t => t.SetMemberLimitAsync(teamId, owner, members[i], limit))).Success);
            }
        }

        if (extra is not null)
        {
            Assert.Equal(CreditTeamError.None, (await setup.Teams(t => t.AddMemberAsync(teamId, owner, extra, CreditTeamRole.Member))).Error);
        }

        await setup.FundAsync(teamId, pool, expiresAt);
        probe.Arm(CreditWalletAccounts.TeamAccount(teamId));
        return (teamId, members, probe);
    }
}

public sealed class SqliteTeamFoldTests(SqliteCreditsDatabase database) : TeamFoldTests<SqliteCreditsDatabase>(database);

public sealed class PostgresTeamFoldTests(PostgresCreditsDatabase database) : TeamFoldTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbTeamFoldTests(MariaDbCreditsDatabase database) : TeamFoldTests<MariaDbCreditsDatabase>(database);
