using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace MediaForge.Credits.Tests.Torture;

/// <summary>
/// Several app instances on one database: 3 OS processes of 8 concurrent workers each (<c>MediaForge.Credits.TortureWorker</c>)
/// deduct from one balance, released together by a start barrier.
/// </summary>
public abstract class MultiProcessTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private const int Uses = 600;
    private const long Price = 3; // image-generation/default

    [Fact]
    public async Task DeductCredits_ThreeProcessesOfEightWorkersAgainstBalanceForSixHundredUses_ExactlySixHundredSucceed()
    {
        var user = "mp_" + Guid.NewGuid().ToString("N");
        await using (var scope = database.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<ICreditService>()
                .AddCreditsAsync(user, Uses * Price, CreditTransactionType.Purchase, "torture grant");
        }

        var workers = Enumerable.Range(0, 3)
            .Select(_ => TortureWorker.Start(database, database.ConnectionString, "--mode", "deduct", "--user", user, "--workers", "8", "--wait-for-go"))
            .ToList();
        try
        {
            await TortureWorker.GoAsync(workers);
            var counts = await Task.WhenAll(workers.Select(w => w.CompleteAsync()));

            Assert.Equal(Uses, counts.Sum(c => c.Succeeded));
            Assert.Equal(0, counts.Sum(c => c.Errors));
            var (balance, sum, rows) = await database.ReadLedgerAsync(user);
            Assert.Equal((0L, 0L, Uses + 1), (balance, sum, rows));
            Assert.Equal(Uses, await database.CountUsageAsync(user));
        }
        finally
        {
            workers.ForEach(w => w.Dispose());
        }
    }
}

public sealed class SqliteMultiProcessTests(SqliteCreditsDatabase database) : MultiProcessTests<SqliteCreditsDatabase>(database);

public sealed class PostgresMultiProcessTests(PostgresCreditsDatabase database) : MultiProcessTests<PostgresCreditsDatabase>(database);
