using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace MediaForge.Credits.Tests.Torture;

/// <summary>
/// kill -9 of an app instance (<c>Process.Kill(entireProcessTree: true)</c> on a <c>MediaForge.Credits.TortureWorker</c>)
/// in the middle of a deduction load and of a fulfilment-like grant load, each call with an idempotency key; then the
/// same keys are run again to completion.
/// </summary>
public abstract class CrashTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private const int Keys = 1000;
    private const int KillAfter = 200;
    private const long Price = 3; // image-generation/default
    private const int GrantUsers = 10;
    private const long GrantAmount = 10;

    [Fact]
    public async Task DeductCredits_WorkerKilledMidLoad_LedgerStaysConsistent()
    {
        var user = await GrantForAllKeysAsync();

        await RunAndKillAsync(DeductArguments(user));

        var audit = await database.AuditAsync(user);
        Assert.Equal(1, audit.Accounts);
        Assert.True(audit.IsConsistent, audit.ToString());
    }

    [Fact]
    public async Task DeductCredits_SameKeysRunAgainAfterWorkerKilled_EachKeyChargedExactlyOnce()
    {
        var user = await GrantForAllKeysAsync();
        await RunAndKillAsync(DeductArguments(user));
        var chargedBeforeRetry = (await database.ReadLedgerAsync(user)).LedgerRows - 1;

        WorkerCounts retry;
        using (var worker = TortureWorker.Start(database, database.ConnectionString, DeductArguments(user)))
        {
            retry = await worker.CompleteAsync();
        }

        Assert.Equal((long)chargedBeforeRetry, retry.Replayed);
        Assert.Equal(Keys - chargedBeforeRetry, retry.Succeeded);
        var (balance, sum, rows) = await database.ReadLedgerAsync(user);
        Assert.Equal((0L, 0L, Keys + 1), (balance, sum, rows));
        Assert.Equal(Keys, await database.CountUsageAsync(user));
    }

    [Fact]
    public async Task AddCredits_WorkerKilledMidFulfilmentLoad_LedgerStaysConsistent()
    {
        var prefix = "crash_grant_" + Guid.NewGuid().ToString("N") + "_";

        await RunAndKillAsync(GrantArguments(prefix));

        var audit = await database.AuditAsync(prefix);
        Assert.InRange(audit.Accounts, 1, GrantUsers);
        Assert.True(audit.IsConsistent, audit.ToString());
    }

    [Fact]
    public async Task AddCredits_SameKeysRunAgainAfterWorkerKilled_EachGrantAppliedExactlyOnce()
    {
        var prefix = "crash_grant_" + Guid.NewGuid().ToString("N") + "_";
        await RunAndKillAsync(GrantArguments(prefix));

        WorkerCounts retry;
        using (var worker = TortureWorker.Start(database, database.ConnectionString, GrantArguments(prefix)))
        {
            retry = await worker.CompleteAsync();
        }

        Assert.Equal(Keys, retry.Succeeded + retry.Replayed);
        Assert.InRange(retry.Replayed, KillAfter, Keys);
        for (var i = 0; i < GrantUsers; i++)
        {
            var (balance, sum, rows) = await database.ReadLedgerAsync(prefix + i);
            Assert.Equal((GrantAmount * Keys / GrantUsers, GrantAmount * Keys / GrantUsers, Keys / GrantUsers), (balance, sum, rows));
        }
    }

    private static string[] DeductArguments(string user) =>
        ["--mode", "deduct-keys", "--user", user, "--keys", Keys.ToString(System.Globalization.CultureInfo.InvariantCulture), "--key-prefix", "job-", "--workers", "8"];

    private static string[] GrantArguments(string prefix) =>
        ["--mode", "grant-keys", "--user", prefix, "--users", GrantUsers.ToString(System.Globalization.CultureInfo.InvariantCulture),
         "--amount", GrantAmount.ToString(System.Globalization.CultureInfo.InvariantCulture),
         "--keys", Keys.ToString(System.Globalization.CultureInfo.InvariantCulture), "--key-prefix", "session-", "--workers", "8"];

    private async Task<string> GrantForAllKeysAsync()
    {
        var user = "crash_" + Guid.NewGuid().ToString("N");
        await using var scope = database.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<ICreditService>()
            .AddCreditsAsync(user, Keys * Price, CreditTransactionType.Purchase, "torture grant");
        return user;
    }

    private async Task RunAndKillAsync(string[] arguments)
    {
        using var worker = TortureWorker.Start(database, database.ConnectionString, arguments);
        await worker.KillAfterAsync(KillAfter);
    }
}

public sealed class SqliteCrashTests(SqliteCreditsDatabase database) : CrashTests<SqliteCreditsDatabase>(database);

public sealed class PostgresCrashTests(PostgresCreditsDatabase database) : CrashTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbCrashTests(MariaDbCreditsDatabase database) : CrashTests<MariaDbCreditsDatabase>(database);
