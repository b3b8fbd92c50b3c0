using MediaForge.Credits.Tests.Analytics;
using MediaForge.Credits.Tests.Infrastructure;
using MediaForge.Credits.TopUps;
using static MediaForge.Credits.Tests.TopUps.TopUpScenario;

namespace MediaForge.Credits.Tests.TopUps;

/// <summary>
/// The month's caps across calendar months (UTC): a crossing in a month the wallet's settings have not counted yet
/// starts that month's count and amount at one pack, under the same caps.
/// </summary>
public abstract class AutoTopUpMonthTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private readonly SettableClock clock = new(new DateTimeOffset(2026, 1, 20, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task Crossing_InANewMonthWithACapOfExactlyOnePack_TopsUp()
    {
        await using var timed = Build(database, clock);
        var wallet = NewWallet();
        await EnableAsync(timed, wallet, 1, maxPerMonth: 1, maxAmount: PackPrice);

        clock.SetUtcNow(new DateTimeOffset(2026, 2, 3, 12, 0, 0, TimeSpan.Zero));
        await CrossAsync(timed, wallet);

        Assert.Equal([new DateTime(2026, 2, 1)], (await TopUpsAsync(timed, wallet)).Select(t => t.MonthStart));
    }

    [Fact]
    public async Task Crossing_InTheNextCalendarMonth_CountsAgainstAFreshCap()
    {
        clock.SetUtcNow(new DateTimeOffset(2026, 1, 31, 23, 0, 0, TimeSpan.Zero));
        await using var timed = Build(database, clock);
        var wallet = NewWallet();
        await EnableAsync(timed, wallet, 1, maxPerMonth: 1);
        await CrossAsync(timed, wallet);
        await CrossAsync(timed, wallet); // the cap of January is reached

        clock.SetUtcNow(new DateTimeOffset(2026, 2, 1, 0, 30, 0, TimeSpan.Zero));
        await CrossAsync(timed, wallet);

        var topUps = await TopUpsAsync(timed, wallet);
        Assert.Equal([new DateTime(2026, 1, 1), new DateTime(2026, 2, 1)], topUps.Select(t => t.MonthStart));
    }

    [Fact]
    public async Task Crossing_InTheNextCalendarMonth_CountsOnePackForThatMonth()
    {
        clock.SetUtcNow(new DateTimeOffset(2026, 1, 31, 23, 0, 0, TimeSpan.Zero));
        await using var timed = Build(database, clock);
        var wallet = NewWallet();
        await EnableAsync(timed, wallet, 1);
        await CrossAsync(timed, wallet);
        await CrossAsync(timed, wallet); // January: two packs

        clock.SetUtcNow(new DateTimeOffset(2026, 2, 1, 0, 30, 0, TimeSpan.Zero));
        await CrossAsync(timed, wallet);

        var settings = await SettingsAsync(timed, wallet);
        Assert.Equal((1, PackPrice), (settings.MonthCount, settings.MonthAmountCents));
    }

    [Fact]
    public async Task Crossing_WithACountCapOfZero_TopsUpNeitherThisMonthNorTheNext()
    {
        await using var timed = Build(database, clock);
        var wallet = NewWallet();
        await EnableAsync(timed, wallet, 1, maxPerMonth: 0);
        await CrossAsync(timed, wallet);

        clock.SetUtcNow(new DateTimeOffset(2026, 2, 3, 12, 0, 0, TimeSpan.Zero));
        await CrossAsync(timed, wallet);

        Assert.Empty(await TopUpsAsync(timed, wallet));
    }
}

public sealed class SqliteAutoTopUpMonthTests(SqliteCreditsDatabase database) : AutoTopUpMonthTests<SqliteCreditsDatabase>(database);

public sealed class PostgresAutoTopUpMonthTests(PostgresCreditsDatabase database) : AutoTopUpMonthTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbAutoTopUpMonthTests(MariaDbCreditsDatabase database) : AutoTopUpMonthTests<MariaDbCreditsDatabase>(database);
