using MediaForge.Credits.Tests.Analytics;
using MediaForge.Credits.Tests.Infrastructure;
using MediaForge.Credits.TopUps;
using static MediaForge.Credits.Tests.TopUps.TopUpScenario;

namespace MediaForge.Credits.Tests.TopUps;

/// <summary>
/// The highest threshold a process caches for <see cref="CreditAutoTopUpOptions.SettingsCacheDuration"/>: a wallet
/// another process saves is seen from the instant the cached value ends, not a tick later; a wallet with auto top-up off
/// is no threshold at all.
/// </summary>
public abstract class TopUpSettingsCacheTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private readonly SettableClock clock = new(new DateTimeOffset(2027, 3, 1, 9, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task Deduct_AtTheInstantTheCacheEnds_SeesAThresholdAnotherProcessSaved()
    {
        await using var cached = Build(database, clock, o => o.AutoTopUp.SettingsCacheDuration = TimeSpan.FromHours(1));
        await using var other = Build(database, clock);
        var (primer, wallet) = (NewWallet(), NewWallet());
        await database.WithCreditsAsync(c => c.AddCreditsAsync(primer, 300, CreditTransactionType.Purchase, "pack"), cached);
        await DeductAsync(cached, primer); // reads and caches the highest threshold: none yet in this class's database
        await EnableAsync(other, wallet, 12); // threshold 10, saved by the other process

        clock.SetUtcNow(clock.GetUtcNow().AddHours(1));
        await DeductAsync(cached, wallet); // 9: crosses 10

        Assert.Single(await TopUpsAsync(cached, wallet));
    }

    [Fact]
    public async Task Deduct_BelowOnlyADisabledWalletsThreshold_RunsNoStatementOnTheSettingsAfterTheFirstRead()
    {
        var counter = new SettingsStatementCounter();
        await using var cached = Build(database, clock, o => o.AutoTopUp.SettingsCacheDuration = TimeSpan.FromHours(1), counter);
        await SaveSettingsAsync(cached, NewWallet(), enabled: false, CreditAutoTopUps.MaxThreshold);

        var wallet = NewWallet();
        await database.WithCreditsAsync(c => c.AddCreditsAsync(wallet, 300, CreditTransactionType.Purchase, "pack"), cached);
        await DeductAsync(cached, wallet); // reads and caches the highest threshold of the wallets with auto top-up on
        var afterFirst = counter.Count;

        for (var i = 0; i < 5; i++)
        {
            await DeductAsync(cached, wallet);
        }

        Assert.Equal(afterFirst, counter.Count);
    }
}

public sealed class SqliteTopUpSettingsCacheTests(SqliteCreditsDatabase database) : TopUpSettingsCacheTests<SqliteCreditsDatabase>(database);

public sealed class PostgresTopUpSettingsCacheTests(PostgresCreditsDatabase database) : TopUpSettingsCacheTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbTopUpSettingsCacheTests(MariaDbCreditsDatabase database) : TopUpSettingsCacheTests<MariaDbCreditsDatabase>(database);
