using MediaForge.Credits.Teams;
using MediaForge.Credits.Tests.Infrastructure;

namespace MediaForge.Credits.Tests.Teams;

/// <summary>
/// Members racing for one pool and for their own limits: the pool never goes below zero, nobody spends past their limit,
/// every charge has its usage log, and a member removed during the race is refused from the moment the removal commits
/// (spends coalesced into group commits or each in its own transaction).
/// </summary>
public abstract class TeamSpendingRaceTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private readonly TeamSetup setup = new(database);

    [Fact]
    public async Task Deduct_ThirtyMembersAtOnceFromAPoolCoveringPart_PoolNeverNegativeAndNoMemberOverLimit()
    {
        var (teamId, owner) = await setup.TeamAsync();
        var members = new List<string>();
        for (var i = 0; i < 30; i++)
        {
            members.Add(await setup.MemberAsync(teamId, owner));
        }

        // Limits of 6 (two uses at 3) for the even members, 9 (three uses) for the odd ones: 225 credits of asks, 120 in the pool.
        for (var i = 0; i < members.Count; i++)
        {
            var limit = i % 2 == 0 ? 6 : 9;
            var member = members[i];
            Assert.True((await setup.Teams(t => t.SetMemberLimitAsync(teamId, owner, member, limit))).Success);
        }

        await setup.FundAsync(teamId, 120);
        var period = CreditTeamPeriods.StartOf(TimeProvider.System.GetUtcNow(), null);

        var results = await Task.WhenAll(members.SelectMany(m => Enumerable.Range(0, 5).Select(_ => (Member: m, Spend: Task.Run(() => setup.SpendAsync(teamId, m)))))
            .Select(async x => (x.Member, Result: await x.Spend)));

        var charged = results.Where(r => r.Result.Success).ToList();
        Assert.Equal(40, charged.Count);
        Assert.Equal((0L, 0L), await setup.WalletAsync(teamId));
        Assert.All(results.Where(r => !r.Result.Success),
            r => Assert.Contains(r.Result.Error, new[] { CreditDeductionError.InsufficientCredits, CreditDeductionError.MemberLimitReached }));
        for (var i = 0; i < members.Count; i++)
        {
            var spent = charged.Count(r => r.Member == members[i]) * 3;
            Assert.InRange(spent, 0, i % 2 == 0 ? 6 : 9);
            Assert.Equal(spent, await setup.SpentAsync(teamId, members[i], period));
        }

        Assert.Equal(40, (await setup.UsageAsync(teamId)).Count);
        Assert.Equal(0, await setup.UnbalancedUsageAsync(teamId));
    }

    [Fact]
    public async Task Deduct_ThirtyMembersManySpendsAndRepeatedKeysAtOnce_ExactPoolNoMemberOverLimitOneChargePerKey()
    {
        var (teamId, owner) = await setup.TeamAsync();
        var members = new List<string>();
        for (var i = 0; i < 30; i++)
        {
            members.Add(await setup.MemberAsync(teamId, owner));
            Assert.True((await setup.Teams(t => t.SetMemberLimitAsync(teamId, owner, members[i], i % 3 == 0 ? 9 : 24))).Success);
        }

        // 30 × 8 keyless asks and each member's one key sent 3 times: 300 asks, at most 190 uses within the limits, 150 in the pool.
        await setup.FundAsync(teamId, 450);
        var period = CreditTeamPeriods.StartOf(TimeProvider.System.GetUtcNow(), null);
        var asks = members.SelectMany(m => Enumerable.Range(0, 8).Select(_ => (Member: m, Key: (string?)null))
            .Concat(Enumerable.Range(0, 3).Select(_ => (Member: m, Key: (string?)("job-" + m)))));
        var results = await Task.WhenAll(asks.Select(a => Task.Run(async () => (a.Member, a.Key, Result: await setup.SpendAsync(teamId, a.Member, key: a.Key)))));

        var charges = results.Where(r => r.Result.Success && !r.Result.IsReplay).ToList();
        Assert.Equal(150, charges.Count);
        Assert.Equal((0L, 0L), await setup.WalletAsync(teamId));
        Assert.All(results.Where(r => !r.Result.Success),
            r => Assert.Contains(r.Result.Error, new[] { CreditDeductionError.InsufficientCredits, CreditDeductionError.MemberLimitReached }));
        Assert.All(results.Where(r => r.Key is not null).GroupBy(r => r.Key), g => Assert.True(g.Count(r => r.Result.Success && !r.Result.IsReplay) <= 1));
        Assert.All(results.Where(r => r.Key is not null && r.Result.IsReplay), r => Assert.Contains(charges, c => c.Result.TransactionId == r.Result.TransactionId));
        for (var i = 0; i < members.Count; i++)
        {
            var spent = charges.Count(r => r.Member == members[i]) * 3;
            Assert.InRange(spent, 0, i % 3 == 0 ? 9 : 24);
            Assert.Equal(spent, await setup.SpentAsync(teamId, members[i], period));
        }

        Assert.Equal(150, (await setup.UsageAsync(teamId)).Count);
        Assert.Equal(0, await setup.UnbalancedUsageAsync(teamId));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Deduct_MemberRemovedWhileSpendingRaces_EverySpendStartedAfterTheRemovalIsRefused(bool coalesce)
    {
        // Not coalesced, each spend is its own transaction racing the removal's (on MariaDB both take the team row first).
        var setup = coalesce ? this.setup : new TeamSetup(database, configure: o => o.CoalesceDeductions = false);
        var (teamId, owner) = await setup.TeamAsync();
        var member = await setup.MemberAsync(teamId, owner);
        await setup.FundAsync(teamId, 3000);

        var before = Enumerable.Range(0, 40).Select(_ => Task.Run(() => setup.SpendAsync(teamId, member))).ToList();
        await Task.Delay(20);
        Assert.True((await setup.Teams(t => t.RemoveMemberAsync(teamId, owner, member))).Success);
        var after = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => setup.SpendAsync(teamId, member))));
        var racing = await Task.WhenAll(before);

        Assert.All(after, r => Assert.Equal(CreditDeductionError.NotTeamMember, r.Error));
        Assert.All(racing, r => Assert.True(r.Success || r.Error == CreditDeductionError.NotTeamMember));
        var charged = racing.Count(r => r.Success);
        Assert.Equal((3000L - (charged * 3), 3000L - (charged * 3)), await setup.WalletAsync(teamId));
        Assert.Equal(charged, (await setup.UsageAsync(teamId)).Count);
    }
}

public sealed class SqliteTeamSpendingRaceTests(SqliteCreditsDatabase database) : TeamSpendingRaceTests<SqliteCreditsDatabase>(database);

public sealed class PostgresTeamSpendingRaceTests(PostgresCreditsDatabase database) : TeamSpendingRaceTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbTeamSpendingRaceTests(MariaDbCreditsDatabase database) : TeamSpendingRaceTests<MariaDbCreditsDatabase>(database);
