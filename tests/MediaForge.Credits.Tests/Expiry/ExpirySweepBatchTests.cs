using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace MediaForge.Credits.Tests.Expiry;

/// <summary>
/// The expiry sweep writes the lapses of up to 500 users a call, those with lapsed credits left: a lot lapsing at this
/// very instant is lapsed, and users whose lapsed lots were spent entirely never take another user's place in the batch.
/// An image costs 3.
/// </summary>
public abstract class ExpirySweepBatchTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private const int Batch = 500;
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2027, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private ServiceProvider? services;

    private ServiceProvider Services => services ??= database.BuildServices(database.ConnectionString, time: clock);

    [Fact]
    public async Task ExpireCredits_AtTheInstantTheLotLapses_RemovesItsCredits()
    {
        var user = await LapsingUserAsync("lapse_", 10);
        clock.Advance(TimeSpan.FromDays(1));

        await Credits(c => c.ExpireCreditsAsync());

        Assert.Equal((0L, 0L, 2), await database.ReadLedgerAsync(user, Services));
    }

    [Fact]
    public async Task ExpireCredits_MoreUsersWithSpentLapsedLotsThanOneBatch_StillRemovesTheCreditsLeft()
    {
        for (var i = 0; i < Batch; i++)
        {
            var spender = await LapsingUserAsync("spent_", 3);
            Assert.True((await Credits(c => c.DeductCreditsAsync(spender, "image-generation", "default"))).Success);
        }

        var user = await LapsingUserAsync("zz_left_", 10);
        clock.Advance(TimeSpan.FromDays(2));

        await Credits(c => c.ExpireCreditsAsync());

        Assert.Equal((0L, 0L, 2), await database.ReadLedgerAsync(user, Services));
    }

    /// <summary>A new user (id starting with <paramref name="prefix"/>) with <paramref name="credits"/> expiring in a day.</summary>
    private async Task<string> LapsingUserAsync(string prefix, long credits)
    {
        var user = prefix + Guid.NewGuid().ToString("N");
        await Credits(c => c.AddExpiringCreditsAsync(user, credits, CreditTransactionType.Bonus, "promotion", clock.GetUtcNow().AddDays(1)));
        return user;
    }

    private Task<T> Credits<T>(Func<ICreditService, Task<T>> action) => database.WithCreditsAsync(action, Services);
}

public sealed class SqliteExpirySweepBatchTests(SqliteCreditsDatabase database) : ExpirySweepBatchTests<SqliteCreditsDatabase>(database);

public sealed class PostgresExpirySweepBatchTests(PostgresCreditsDatabase database) : ExpirySweepBatchTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbExpirySweepBatchTests(MariaDbCreditsDatabase database) : ExpirySweepBatchTests<MariaDbCreditsDatabase>(database);
