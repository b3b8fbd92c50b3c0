using MediaForge.Credits.Storage;
using MediaForge.Credits.Tests.Analytics;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace MediaForge.Credits.Tests.Ledger;

/// <summary>
/// Where deductions roll up: each use in the hour row of its feature and model and of its user's shard, a batch's uses
/// of users in one shard together in one row, in the batch's own commit; each use's running totals its own user's,
/// also when another user of the batch has a use timed after it.
/// </summary>
public abstract partial class CoalescedDeductionTests<TDatabase>
{
    [Fact]
    public async Task QueuedDeductionsOfUsersInOneShard_RollUpIntoOneRowOfThatShard_InTheBatchsCommit()
    {
        // An hour of its own, so the roll-up rows of that hour are this test's.
        var time = new FakeTimeProvider(new DateTimeOffset(2032, 1, 1, 0, 0, 0, TimeSpan.Zero).AddHours(Random.Shared.Next(100_000)).AddMinutes(40));
        var shards = await database.WithContextAsync(db => Task.FromResult(CreditLedgerSql.For(db).UsageHourShards));
        string[] names = [];
        var (holder, probe, services) = await StartAsync(credits: 300, time: time, seed: async (credits, user) =>
        {
            // Three users whose ids fall in the last shard (on SQLite, which has one, any three).
            names = [.. Enumerable.Range(0, 1000).Select(i => user + "s" + i).Where(u => CreditUsageHour.ShardOf(u, shards) == shards - 1).Take(3)];
            foreach (var name in names)
            {
                await credits.AddCreditsAsync(name, 300, CreditTransactionType.Purchase, "credits");
            }
        });

        var first = Deduct(services, holder, "job-0");
        await probe.HeldAsync();
        var queued = names.Select((name, i) => Deduct(services, name, "job-" + (i + 1))).ToList();
        await QueuedAsync(services, names.Length);
        probe.Release();
        var results = await Task.WhenAll([first, .. queued]).WaitAsync(Patience);

        Assert.All(results, r => Assert.True(r.Success));
        Assert.Equal(2, probe.Commits);
        var expected = new[] { holder }.Concat(names).GroupBy(u => CreditUsageHour.ShardOf(u, shards))
            .Select(g => (g.Key, (long)g.Count(), 3L * g.Count())).OrderBy(r => r.Key);
        var hour = CreditUsageHour.HourOf(time.GetUtcNow().UtcDateTime);
        await database.WithContextAsync(async db => Assert.Equal(expected,
            (await db.Set<CreditUsageHour>().AsNoTracking().Where(h => h.HourStart == hour && h.Feature == "image-generation" && h.Model == "default" && !h.IsUnlimited)
                .ToListAsync()).Select(h => (h.Shard, h.Uses, h.Credits)).OrderBy(r => r.Shard)));
    }

    [Fact]
    public async Task QueuedDeductionsOfDifferentUsers_OneWithAUseTimedAfterThem_EachGetsItsOwnUsersRunningTotals()
    {
        var start = new DateTimeOffset(2033, 1, 1, 0, 0, 0, TimeSpan.Zero).AddHours(Random.Shared.Next(100_000));
        var clock = new SettableClock(start);
        var (holder, probe, services) = await StartAsync(credits: 300, time: clock, seed: async (credits, user) =>
        {
            await credits.AddCreditsAsync(user + "late", 300, CreditTransactionType.Purchase, "credits");
            await credits.AddCreditsAsync(user + "plain", 300, CreditTransactionType.Purchase, "credits");
            clock.SetUtcNow(start.AddHours(1));
            await credits.DeductCreditsAsync(user + "late", "image-generation", "default");
            clock.SetUtcNow(start);
        });

        var first = Deduct(services, holder, "job-0");
        await probe.HeldAsync();
        var queued = new[] { "late", "plain" }.Select((name, i) => Deduct(services, holder + name, "job-" + (i + 1))).ToList();
        await QueuedAsync(services, queued.Count);
        probe.Release();
        var results = await Task.WhenAll([first, .. queued]).WaitAsync(Patience);

        Assert.All(results, r => Assert.True(r.Success));
        Assert.Equal(2, probe.Commits);
        await UsageReportChecks.AssertRunningTotalsAsync(services, [holder, holder + "late", holder + "plain"]);
    }
}
