using System.Data.Common;
using MediaForge.Credits.Tests.Infrastructure;
using MediaForge.Credits.Tests.Torture;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace MediaForge.Credits.Tests.Ledger;

/// <summary>
/// The ledger's prepared statements under concurrency, with refusals and an injected failure in one ledger insert:
/// every outcome is right, and the failed deduction leaves nothing behind.
/// </summary>
public abstract class ConcurrentDeductionTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    [Fact]
    public async Task Deductions_ConcurrentWithRefusalsAndAFailure_ExactlyNSucceed()
    {
        var user = "gate_" + Guid.NewGuid().ToString("N");
        var fault = new FailFirstLedgerInsert(user);
        var services = database.BuildServices(database.ConnectionString, configureContext: o => o.AddInterceptors(fault));
        await using (var scope = services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<ICreditService>().AddCreditsAsync(user, 3 * 20, CreditTransactionType.Purchase, "twenty uses");
        }

        fault.Arm();
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => Task.Run(async () =>
        {
            await using var scope = services.CreateAsyncScope();
            try
            {
                return (await scope.ServiceProvider.GetRequiredService<ICreditService>()
                    .DeductCreditsAsync(user, "image-generation", "default", idempotencyKey: "job-" + i)).Success ? "deducted" : "refused";
            }
            catch (InjectedFailureException)
            {
                return "failed";
            }
        }))).WaitAsync(TimeSpan.FromMinutes(2));

        Assert.Equal(1, outcomes.Count(o => o == "failed"));
        Assert.Equal(20, outcomes.Count(o => o == "deducted"));
        Assert.Equal(29, outcomes.Count(o => o == "refused"));
        Assert.Equal((0L, 0L, 21), await database.ReadLedgerAsync(user));
        Assert.True((await database.AuditAsync(user)).IsConsistent);
    }

    /// <summary>Once armed, fails the first usage ledger insert of the user (after its balance update ran, or with it where they are one statement).</summary>
    private sealed class FailFirstLedgerInsert(string user) : CommandObserver
    {
        private int armed;

        public void Arm() => armed = 1;

        protected override void Executing(DbCommand command)
        {
            if (InterceptedCommand.Text(command).Contains("INSERT INTO credit_transactions ", StringComparison.Ordinal)
                && InterceptedCommand.Carries(command, user)
                && Interlocked.Exchange(ref armed, 0) == 1)
            {
                throw new InjectedFailureException("in the ledger insert");
            }
        }
    }
}

public sealed class SqliteConcurrentDeductionTests(SqliteCreditsDatabase database) : ConcurrentDeductionTests<SqliteCreditsDatabase>(database);

public sealed class PostgresConcurrentDeductionTests(PostgresCreditsDatabase database) : ConcurrentDeductionTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbConcurrentDeductionTests(MariaDbCreditsDatabase database) : ConcurrentDeductionTests<MariaDbCreditsDatabase>(database);
