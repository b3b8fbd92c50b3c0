using System.Data.Common;
using MediaForge.Credits.Tests.Infrastructure;
using MediaForge.Credits.TopUps;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using static MediaForge.Credits.Tests.TopUps.TopUpScenario;

namespace MediaForge.Credits.Tests.TopUps;

/// <summary>
/// On SQLite the worker's claim and charging run as autocommit statements, never as a transaction of their own: a
/// transaction there takes the database's one write lock at its start (<c>BEGIN IMMEDIATE</c>) and holds it across the
/// claim's three statements, which stalled the deducting workers (the benchmark's top-up cell fell from 0.35× to 0.06×
/// of plain deductions, p99 4.5 s). Only MySQL needs the retrying transaction (<see cref="MariaDbTopUpClaimLockTests"/>).
/// </summary>
public sealed class SqliteTopUpClaimLockTests(SqliteCreditsDatabase database) : IClassFixture<SqliteCreditsDatabase>
{
    [Fact]
    public async Task ClaimAndCharging_OnSqlite_StartNoTransaction()
    {
        var transactions = new TransactionCounter();
        await using var services = Build(database, interceptor: transactions);
        var (_, topUp) = await CrossedAsync(services);
        var owner = Guid.NewGuid();
        transactions.Started = 0;

        await using (var scope = services.CreateAsyncScope())
        {
            var charges = scope.ServiceProvider.GetRequiredService<CreditTopUpCharges>();
            Assert.Contains(await charges.ClaimAsync(owner, 10, default), t => t.Id == topUp);
            Assert.Equal(1, await charges.ChargingAsync(topUp, owner, "pi_sqlite", default));
        }

        Assert.Equal(0, transactions.Started);
    }

    /// <summary>Counts the transactions the library's contexts start.</summary>
    private sealed class TransactionCounter : DbTransactionInterceptor
    {
        public int Started;

        public override ValueTask<DbTransaction> TransactionStartedAsync(DbConnection connection, TransactionEndEventData eventData, DbTransaction result,
            CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref Started);
            return ValueTask.FromResult(result);
        }
    }
}
