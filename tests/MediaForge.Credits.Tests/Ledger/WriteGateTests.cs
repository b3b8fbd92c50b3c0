using System.Data.Common;
using MediaForge.Credits.Internal;
using MediaForge.Credits.Storage;
using MediaForge.Credits.Tests.Infrastructure;
using MediaForge.Credits.Tests.Torture;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace MediaForge.Credits.Tests.Ledger;

/// <summary>The in-process SQLite write gate on its own: FIFO turns, one release per turn, a bounded wait.</summary>
public sealed class SqliteWriteGateTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task Gate_SecondWriterWaitsUntilTheFirstTurnEnds_AndATurnReleasesOnce()
    {
        var gate = new SqliteWriteGate();
        var first = await gate.EnterAsync(Bound, CancellationToken.None);
        var second = gate.EnterAsync(Bound, CancellationToken.None);
        Assert.False(second.IsCompleted);

        first!.Dispose();
        first.Dispose();
        var secondTurn = await second.WaitAsync(Bound);
        var third = gate.EnterAsync(Bound, CancellationToken.None);

        Assert.NotNull(secondTurn);
        Assert.False(third.IsCompleted);
        secondTurn.Dispose();
        (await third.WaitAsync(Bound))!.Dispose();
        Assert.True(gate.IsIdle);
    }

    [Fact]
    public async Task Gate_WaitPastTheTimeout_GoesOnWithoutATurn()
    {
        var gate = new SqliteWriteGate();
        using var held = await gate.EnterAsync(Bound, CancellationToken.None);

        var late = await gate.EnterAsync(TimeSpan.FromMilliseconds(20), CancellationToken.None);

        Assert.Null(late);
    }

    [Fact]
    public async Task Gate_CancelledWhileWaiting_ThrowsAndTakesNoTurn()
    {
        var gate = new SqliteWriteGate();
        var held = await gate.EnterAsync(Bound, CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        var waiting = gate.EnterAsync(Bound, cancel.Token);

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        held!.Dispose();
        Assert.True(gate.IsIdle);
    }
}

/// <summary>
/// The ledger's transactions with the gate (SQLite) and without it (PostgreSQL): under concurrency with refusals and an
/// injected failure, every outcome is right and no turn is left held.
/// </summary>
public abstract class LedgerWriteGateTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    [Fact]
    public async Task Deductions_ConcurrentWithRefusalsAndAFailure_ExactlyNSucceedAndNoTurnIsLeftHeld()
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
        await using (var scope = services.CreateAsyncScope())
        {
            var gate = SqliteWriteGate.For(scope.ServiceProvider.GetRequiredService<CreditsDbContext>());
            Assert.Equal(database is SqliteCreditsDatabase, gate is not null);
            Assert.True(gate?.IsIdle ?? true);
        }
    }

    /// <summary>Once armed, fails the first usage ledger insert of the user (after its balance update ran).</summary>
    private sealed class FailFirstLedgerInsert(string user) : DbCommandInterceptor
    {
        private int armed;

        public void Arm() => armed = 1;

        public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            if (command.CommandText.Replace("\"", "", StringComparison.Ordinal).StartsWith("INSERT INTO credit_transactions ", StringComparison.Ordinal)
                && command.Parameters.Cast<DbParameter>().Any(p => Equals(p.Value, user))
                && Interlocked.Exchange(ref armed, 0) == 1)
            {
                throw new InjectedFailureException("in the ledger insert");
            }

            return ValueTask.FromResult(result);
        }
    }
}

public sealed class SqliteLedgerWriteGateTests(SqliteCreditsDatabase database) : LedgerWriteGateTests<SqliteCreditsDatabase>(database);

public sealed class PostgresLedgerWriteGateTests(PostgresCreditsDatabase database) : LedgerWriteGateTests<PostgresCreditsDatabase>(database);
