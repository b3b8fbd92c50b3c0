using System.Data.Common;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace MediaForge.Credits.Tests.Expiry;

/// <summary>The expiry sweep writes each user's lapsed credits in a transaction of its own: one user's failure stops no one else's.</summary>
public abstract class ExpirySweepTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2027, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly FakeLogCollector logs = new();

    [Fact]
    public async Task ExpireCredits_OneUsersFailure_DoesNotStopTheSweepForTheOthers()
    {
        var (broken, healthy, fault, services) = await TwoLapsingUsersAsync(() => new SimulatedDbException("Simulated failure"));

        var removed = await database.WithCreditsAsync(c => c.ExpireCreditsAsync(), services);

        Assert.True(fault.Failed > 0);
        Assert.True(removed >= 20, $"removed {removed}");
        Assert.Equal((0L, 0L, 2), await database.ReadLedgerAsync(healthy));
        Assert.Equal((20L, 20L, 1), await database.ReadLedgerAsync(broken));
    }

    [Fact]
    public async Task ExpireCredits_AfterOneUsersFailure_TheNextSweepLapsesTheirCredits()
    {
        var (broken, _, fault, services) = await TwoLapsingUsersAsync(() => new SimulatedDbException("Simulated failure"));
        await database.WithCreditsAsync(c => c.ExpireCreditsAsync(), services);

        fault.Armed = false;
        await database.WithCreditsAsync(c => c.ExpireCreditsAsync(), services);

        Assert.Equal((0L, 0L, 2), await database.ReadLedgerAsync(broken));
    }

    [Fact]
    public async Task ExpireCredits_OneUsersFailure_IsLoggedAsAnErrorWithTheUserId()
    {
        var (broken, _, _, services) = await TwoLapsingUsersAsync(() => new SimulatedDbException("Simulated failure"));

        await database.WithCreditsAsync(c => c.ExpireCreditsAsync(), services);

        var failure = Assert.Single(logs.GetSnapshot(), r => r.Id.Id == 1010);
        Assert.Equal(LogLevel.Error, failure.Level);
        Assert.Contains(broken, failure.Message, StringComparison.Ordinal);
        Assert.IsType<SimulatedDbException>(failure.Exception);
    }

    [Fact]
    public async Task ExpireCredits_AWriteCancelledByTheDatabase_DoesNotStopTheSweepForTheOthers()
    {
        // A statement cancelled by the server or the driver, not by the caller's token, is one user's failure.
        var (broken, healthy, fault, services) = await TwoLapsingUsersAsync(() => new OperationCanceledException("Cancelled by the database"));

        await database.WithCreditsAsync(c => c.ExpireCreditsAsync(), services);

        Assert.True(fault.Failed > 0);
        Assert.Equal((0L, 0L, 2), await database.ReadLedgerAsync(healthy));
        Assert.Equal((20L, 20L, 1), await database.ReadLedgerAsync(broken));
    }

    [Fact]
    public async Task ExpireCredits_CancelledByTheCallerDuringAUsersWrite_ThrowsOperationCanceled()
    {
        using var cancel = new CancellationTokenSource();
        var user = "sweep_cancelled_" + Guid.NewGuid().ToString("N");
        var fault = new FailCommandsOf(user, () =>
        {
            cancel.Cancel();
            return new OperationCanceledException(cancel.Token);
        });
        var services = await LapsingServicesAsync(fault, user);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => database.WithCreditsAsync(c => c.ExpireCreditsAsync(cancel.Token), services));
        Assert.Equal((20L, 20L, 1), await database.ReadLedgerAsync(user));
    }

    /// <summary>Two users with 20 credits lapsed a day ago; the writes of the first fail with <paramref name="failure"/> (armed).</summary>
    private async Task<(string Broken, string Healthy, FailCommandsOf Fault, IServiceProvider Services)> TwoLapsingUsersAsync(Func<Exception> failure)
    {
        var broken = "sweep_broken_" + Guid.NewGuid().ToString("N");
        var healthy = "sweep_healthy_" + Guid.NewGuid().ToString("N");
        var fault = new FailCommandsOf(broken, failure);
        return (broken, healthy, fault, await LapsingServicesAsync(fault, broken, healthy));
    }

    private async Task<IServiceProvider> LapsingServicesAsync(FailCommandsOf fault, params string[] users)
    {
        var services = database.BuildServices(database.ConnectionString, time: clock, configureContext: o => o.AddInterceptors(fault),
            configureServices: s => s.AddLogsTo(logs, LogLevel.Information));
        foreach (var user in users)
        {
            await database.WithCreditsAsync(c => c.AddExpiringCreditsAsync(user, 20, CreditTransactionType.Bonus, "promo", clock.GetUtcNow().AddDays(1)), services);
        }

        clock.Advance(TimeSpan.FromDays(2));
        fault.Armed = true;
        return services;
    }

    /// <summary>Once armed, fails every write that carries the user's id with <paramref name="failure"/>.</summary>
    private sealed class FailCommandsOf(string user, Func<Exception> failure) : DbCommandInterceptor
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
                throw failure();
            }
        }
    }
}

public sealed class SqliteExpirySweepTests(SqliteCreditsDatabase database) : ExpirySweepTests<SqliteCreditsDatabase>(database);

public sealed class PostgresExpirySweepTests(PostgresCreditsDatabase database) : ExpirySweepTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbExpirySweepTests(MariaDbCreditsDatabase database) : ExpirySweepTests<MariaDbCreditsDatabase>(database);
