using MediaForge.Credits.Tests.Infrastructure;
using MediaForge.Credits.Tests.TopUps;
using static MediaForge.Credits.Tests.TopUps.TopUpScenario;

namespace MediaForge.Credits.Tests.Torture;

/// <summary>
/// Auto top-up across app instances: 3 OS processes of 8 workers (<c>MediaForge.Credits.TortureWorker</c>) on one
/// wallet, released together by a start barrier. Their deductions cross the threshold once, so one top-up; their
/// repeated crossings never pass the month's cap.
/// </summary>
public abstract class TopUpMultiProcessTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private async Task<WorkerCounts[]> RunAsync(params string[] arguments)
    {
        var workers = Enumerable.Range(0, 3).Select(_ => TortureWorker.Start(database, database.ConnectionString, [.. arguments, "--workers", "8", "--wait-for-go"])).ToList();
        try
        {
            await TortureWorker.GoAsync(workers);
            return await Task.WhenAll(workers.Select(w => w.CompleteAsync()));
        }
        finally
        {
            workers.ForEach(w => w.Dispose());
        }
    }

    [Fact]
    public async Task Deduct_ThreeProcessesDescendingPastOneWalletsThreshold_OneTopUp()
    {
        var services = Build(database);
        var wallet = NewWallet();
        await EnableAsync(services, wallet, 300); // threshold 10: 100 deductions of 3 empty it, one of them crosses

        var counts = await RunAsync("--mode", "deduct", "--user", wallet);

        Assert.Equal((100L, 0L), (counts.Sum(c => c.Succeeded), counts.Sum(c => c.Errors)));
        Assert.Single(await TopUpsAsync(services, wallet));
    }

    [Fact]
    public async Task Crossings_ThreeProcessesSixtyTimes_NeverMoreTopUpsThanTheMonthlyCap()
    {
        var services = Build(database);
        var wallet = NewWallet();
        await EnableAsync(services, wallet, 1, maxPerMonth: 7);

        var counts = await RunAsync("--mode", "cross", "--user", wallet, "--amount", Threshold.ToString(System.Globalization.CultureInfo.InvariantCulture), "--keys", "20");

        Assert.Equal((60L, 0L), (counts.Sum(c => c.Succeeded), counts.Sum(c => c.Errors)));
        Assert.Equal(7, (await TopUpsAsync(services, wallet)).Count);
        Assert.Equal((7, 7 * PackPrice), ((await SettingsAsync(services, wallet)).MonthCount, (await SettingsAsync(services, wallet)).MonthAmountCents));
    }
}

public sealed class SqliteTopUpMultiProcessTests(SqliteCreditsDatabase database) : TopUpMultiProcessTests<SqliteCreditsDatabase>(database);

public sealed class PostgresTopUpMultiProcessTests(PostgresCreditsDatabase database) : TopUpMultiProcessTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbTopUpMultiProcessTests(MariaDbCreditsDatabase database) : TopUpMultiProcessTests<MariaDbCreditsDatabase>(database);
