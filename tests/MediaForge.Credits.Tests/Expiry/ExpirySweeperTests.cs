using System.Data.Common;
using MediaForge.Credits.Expiry;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace MediaForge.Credits.Tests.Expiry;

/// <summary>
/// The background sweeper: every <see cref="CreditsOptions.ReservationSweepInterval"/> it ends lapsed holds and writes
/// lapsed credits, logs a sweep that changed something, and keeps sweeping after a failed one.
/// </summary>
public abstract class ExpirySweeperTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2027, 5, 1, 9, 0, 0, TimeSpan.Zero));
    private readonly FakeLogCollector logs = new();
    private readonly SweepQueries sweeps = new();
    private readonly string user = "sweeper_" + Guid.NewGuid().ToString("N");

    [Fact]
    public async Task Sweeper_CreditsLapsed_LogsHowManyItWrote()
    {
        var services = await ServicesAsync();
        await Credits(services, c => c.AddExpiringCreditsAsync(user, 20, CreditTransactionType.Bonus, "promo", clock.GetUtcNow().AddMinutes(30)));
        using var sweeper = await StartAsync(services);

        await TickAsync();

        var sweep = await NextSweepLogAsync();
        Assert.Contains("0 lapsed reservations, 20 lapsed credits and 0 lapsed gifts", sweep.Message, StringComparison.Ordinal);
        Assert.Equal((0L, 0L, 2), await database.ReadLedgerAsync(user, services));
    }

    [Fact]
    public async Task Sweeper_HoldLapsed_LogsHowManyItEnded()
    {
        var services = await ServicesAsync();
        await Credits(services, c => c.AddCreditsAsync(user, 50, CreditTransactionType.Bonus, "welcome"));
        await using (var scope = services.CreateAsyncScope())
        {
            var hold = await scope.ServiceProvider.GetRequiredService<ICreditReservationService>()
                .ReserveCreditsAsync(user, "image-generation", "default", TimeSpan.FromMinutes(5));
            Assert.True(hold.Success);
        }

        using var sweeper = await StartAsync(services);

        await TickAsync();

        var sweep = await NextSweepLogAsync();
        Assert.Contains("1 lapsed reservations, 0 lapsed credits and 0 lapsed gifts", sweep.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sweeper_GiftLapsed_GivesItBackAndLogsIt()
    {
        var services = await ServicesAsync(gifts: true);
        await Credits(services, c => c.AddCreditsAsync(user, 50, CreditTransactionType.Bonus, "welcome"));
        await using (var scope = services.CreateAsyncScope())
        {
            var gift = await scope.ServiceProvider.GetRequiredService<ICreditGiftService>().CreateGiftAsync(user, 30, clock.GetUtcNow().AddMinutes(5));
            Assert.True(gift.Success);
        }

        using var sweeper = await StartAsync(services);

        await TickAsync();

        var sweep = await NextSweepLogAsync();
        Assert.Contains("0 lapsed reservations, 0 lapsed credits and 1 lapsed gifts", sweep.Message, StringComparison.Ordinal);
        await using var check = services.CreateAsyncScope();
        Assert.Equal(50, (await check.ServiceProvider.GetRequiredService<ICreditService>().GetBalanceAsync(user)).Available);
    }

    [Fact]
    public async Task Sweeper_NothingLapsed_LogsNothing()
    {
        var services = await ServicesAsync();
        using var sweeper = await StartAsync(services);
        await TickAsync();

        // The next sweep has something to write, so its log proves the first one has finished without one.
        await Credits(services, c => c.AddExpiringCreditsAsync(user, 20, CreditTransactionType.Bonus, "promo", clock.GetUtcNow().AddMinutes(1)));
        await TickAsync();
        await NextSweepLogAsync();

        Assert.Single(logs.GetSnapshot(), r => r.Id.Id == 1410);
    }

    [Fact]
    public async Task Sweeper_AfterAFailedSweep_SweepsAgainAtTheNextInterval()
    {
        var services = await ServicesAsync();
        await Credits(services, c => c.AddExpiringCreditsAsync(user, 20, CreditTransactionType.Bonus, "promo", clock.GetUtcNow().AddMinutes(30)));
        sweeps.FailNext = 1;
        using var sweeper = await StartAsync(services);

        await TickAsync();
        await WaitForLogAsync(r => r.Id.Id == 1411);
        await TickAsync();

        var sweep = await NextSweepLogAsync();
        Assert.Contains("20 lapsed credits", sweep.Message, StringComparison.Ordinal);
        Assert.Equal(LogLevel.Error, Assert.Single(logs.GetSnapshot(), r => r.Id.Id == 1411).Level);
    }

    /// <summary>Services on a database of the test's own, so that no other test's lapsed credits join its sweeps.</summary>
    private async Task<ServiceProvider> ServicesAsync(bool gifts = false)
    {
        var services = database.BuildServices(await database.CreateDatabaseAsync(), o => o.Gifts.Enabled = gifts, time: clock,
            configureContext: o => o.AddInterceptors(sweeps));
        await services.InitializeCreditsAsync(createSchema: true);
        return services;
    }

    private static async Task Credits(IServiceProvider services, Func<ICreditService, Task> action)
    {
        await using var scope = services.CreateAsyncScope();
        await action(scope.ServiceProvider.GetRequiredService<ICreditService>());
    }

    private async Task<Sweeper> StartAsync(IServiceProvider services)
    {
        var sweeper = new CreditExpirySweeper(services.GetRequiredService<IServiceScopeFactory>(),
            Options.Create(new CreditsOptions { ReservationSweepInterval = Interval }), clock,
            new FakeLogger<CreditExpirySweeper>(logs));
        await sweeper.StartAsync(CancellationToken.None);
        return new Sweeper(sweeper);
    }

    /// <summary>
    /// Moves the clock on by the interval until a sweep starts. The sweeper's loop starts on a thread of its own, so
    /// its timer may not exist yet at the first move; a sweep that has already started is never waited for twice.
    /// </summary>
    private async Task TickAsync()
    {
        var before = sweeps.Seen;
        for (var moves = 0; sweeps.Seen == before; moves++)
        {
            Assert.True(moves < 300, "The sweeper did not run.");
            clock.Advance(Interval);
            for (var waited = 0; waited < 20 && sweeps.Seen == before; waited++)
            {
                await Task.Delay(10);
            }
        }
    }

    private Task<FakeLogRecord> NextSweepLogAsync() => WaitForLogAsync(r => r.Id.Id == 1410);

    /// <summary>Waits (up to a minute, for a loaded machine) for the sweeper's background loop to log a matching record.</summary>
    private async Task<FakeLogRecord> WaitForLogAsync(Func<FakeLogRecord, bool> match)
    {
        for (var waited = 0; waited < 6_000; waited++)
        {
            if (logs.GetSnapshot().FirstOrDefault(match) is { } record)
            {
                return record;
            }

            await Task.Delay(10);
        }

        throw new TimeoutException("The sweeper logged nothing matching; logs: " + string.Join(" | ", logs.GetSnapshot().Select(r => r.Message)));
    }

    private sealed class Sweeper(CreditExpirySweeper sweeper) : IDisposable
    {
        public void Dispose()
        {
            sweeper.StopAsync(CancellationToken.None).GetAwaiter().GetResult();
            sweeper.Dispose();
        }
    }

    /// <summary>Counts the sweep's query for users with lapsed lots, and fails the next <see cref="FailNext"/> of them.</summary>
    private sealed class SweepQueries : DbCommandInterceptor
    {
        private int seen;

        public int Seen => Volatile.Read(ref seen);

        public int FailNext { get; set; }

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            var text = InterceptedCommand.Text(command);
            if (text.Contains("DISTINCT", StringComparison.OrdinalIgnoreCase) && text.Contains("credit_grants", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref seen);
                if (FailNext > 0)
                {
                    FailNext--;
                    throw new SimulatedDbException("Simulated failure of the sweep");
                }
            }

            return ValueTask.FromResult(result);
        }
    }
}

public sealed class SqliteExpirySweeperTests(SqliteCreditsDatabase database) : ExpirySweeperTests<SqliteCreditsDatabase>(database);

public sealed class PostgresExpirySweeperTests(PostgresCreditsDatabase database) : ExpirySweeperTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbExpirySweeperTests(MariaDbCreditsDatabase database) : ExpirySweeperTests<MariaDbCreditsDatabase>(database);
