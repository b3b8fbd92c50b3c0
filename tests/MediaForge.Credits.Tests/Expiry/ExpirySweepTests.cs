using System.Data.Common;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace MediaForge.Credits.Tests.Expiry;

/// <summary>The expiry sweep writes each user's lapsed credits in a transaction of its own: one user's failure stops no one else's.</summary>
public abstract class ExpirySweepTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    [Fact]
    public async Task ExpireCredits_OneUsersFailure_DoesNotStopTheSweepForTheOthers()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2027, 3, 1, 12, 0, 0, TimeSpan.Zero));
        var broken = "sweep_broken_" + Guid.NewGuid().ToString("N");
        var healthy = "sweep_healthy_" + Guid.NewGuid().ToString("N");
        var fault = new FailCommandsOf(broken);
        var services = database.BuildServices(database.ConnectionString, time: clock, configureContext: o => o.AddInterceptors(fault));
        foreach (var user in new[] { broken, healthy })
        {
            await database.WithCreditsAsync(c => c.AddExpiringCreditsAsync(user, 20, CreditTransactionType.Bonus, "promo", clock.GetUtcNow().AddDays(1)), services);
        }

        clock.Advance(TimeSpan.FromDays(2));
        fault.Armed = true;
        var removed = await database.WithCreditsAsync(c => c.ExpireCreditsAsync(), services);

        Assert.True(fault.Failed > 0);
        Assert.True(removed >= 20, $"removed {removed}");
        Assert.Equal((0L, 0L, 2), await database.ReadLedgerAsync(healthy));
        Assert.Equal((20L, 20L, 1), await database.ReadLedgerAsync(broken));
    }

    /// <summary>Once armed, fails every write that carries the user's id.</summary>
    private sealed class FailCommandsOf(string user) : DbCommandInterceptor
    {
        private int failed;

        public bool Armed { get; set; }

        public int Failed => Volatile.Read(ref failed);

        public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            Fail(command);
            return ValueTask.FromResult(result);
        }

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            if (!command.CommandText.TrimStart().StartsWith("SELECT", StringComparison.OrdinalIgnoreCase))
            {
                Fail(command);
            }

            return ValueTask.FromResult(result);
        }

        private void Fail(DbCommand command)
        {
            if (Armed && InterceptedCommand.Carries(command, user))
            {
                Interlocked.Increment(ref failed);
                throw new SimulatedDbException("Simulated failure writing the expiry of " + user);
            }
        }
    }
}

public sealed class SqliteExpirySweepTests(SqliteCreditsDatabase database) : ExpirySweepTests<SqliteCreditsDatabase>(database);

public sealed class PostgresExpirySweepTests(PostgresCreditsDatabase database) : ExpirySweepTests<PostgresCreditsDatabase>(database);
