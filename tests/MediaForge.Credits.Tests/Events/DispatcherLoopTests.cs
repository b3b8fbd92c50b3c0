using MediaForge.Credits.Events;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace MediaForge.Credits.Tests.Events;

/// <summary>
/// The dispatcher's background loop: a round that claimed events is followed at once by the next (on a fake clock that
/// never moves, so a wait for the poll interval would never end), a round that found nothing is followed by a wait of
/// the poll interval on the host's clock, and a round that throws does not stop the loop. Nothing
/// here measures time; the waits only bound how long a broken loop is given before the test fails.
/// </summary>
public abstract class DispatcherLoopTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero));
    private readonly EventRecorder recorder = new();

    private ServiceProvider Build(Action<CreditsOptions> configure) => Outbox.Build(database, threshold: 0, clock, recorder, configure);

    private static async Task<string> GrantAsync(CreditsDatabase database, IServiceProvider services)
    {
        var user = Outbox.NewUser();
        await database.WithCreditsAsync(c => c.AddCreditsAsync(user, 5, CreditTransactionType.Bonus, "bonus"), services);
        return user;
    }

    /// <summary>Runs the dispatcher's loop until <paramref name="done"/> holds, the loop ends, or <see cref="Patience"/> runs out.</summary>
    private static async Task RunUntilAsync(CreditEventDispatcher dispatcher, Func<bool> done)
    {
        await dispatcher.StartAsync(CancellationToken.None);
        await WaitUntilAsync(() => done() || dispatcher.ExecuteTask is { IsCompleted: true });
        await dispatcher.StopAsync(CancellationToken.None);
    }

    /// <summary>Polls <paramref name="done"/> until it holds or <see cref="Patience"/> runs out.</summary>
    private static async Task WaitUntilAsync(Func<bool> done)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!done() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }
    }

    private bool Received(string user) => recorder.Received.Any(e => e.WalletId == user);

    [Fact]
    public async Task ExecuteAsync_AfterARoundThatClaimedEvents_ClaimsAgainWithoutWaitingForThePollInterval()
    {
        var services = Build(o => (o.Events.BatchSize, o.Events.PollInterval) = (1, TimeSpan.FromHours(1)));
        var (first, second) = (await GrantAsync(database, services), await GrantAsync(database, services));
        var dispatcher = new CreditEventDispatcher(services.GetRequiredService<IServiceScopeFactory>(), services.GetRequiredService<IOptions<CreditsOptions>>(),
            clock, NullLogger<CreditEventDispatcher>.Instance);

        await RunUntilAsync(dispatcher, () => Received(first) && Received(second)); // one event a round; the clock never moves

        Assert.True(Received(first) && Received(second));
    }

    [Fact]
    public async Task ExecuteAsync_ARoundThatThrows_IsFollowedByTheNextRound()
    {
        var services = Build(o => o.Events.PollInterval = TimeSpan.FromMilliseconds(1));
        var user = await GrantAsync(database, services);
        var dispatcher = new CreditEventDispatcher(new FailingOnceScopes(services.GetRequiredService<IServiceScopeFactory>()),
            services.GetRequiredService<IOptions<CreditsOptions>>(), new RealTimers(clock), NullLogger<CreditEventDispatcher>.Instance);

        await RunUntilAsync(dispatcher, () => Received(user));

        Assert.True(Received(user));
    }

    [Fact]
    public async Task ExecuteAsync_AfterAnEmptyRound_WaitsThePollIntervalBeforeClaimingAgain()
    {
        var services = Build(o => o.Events.PollInterval = TimeSpan.FromHours(1));
        var waits = new WaitReportingClock(clock);
        var dispatcher = new CreditEventDispatcher(services.GetRequiredService<IServiceScopeFactory>(), services.GetRequiredService<IOptions<CreditsOptions>>(),
            waits, NullLogger<CreditEventDispatcher>.Instance);
        await dispatcher.StartAsync(CancellationToken.None);
        try
        {
            Assert.True(await waits.Started.WaitAsync(Patience), "the loop never waited after a round that found nothing");
            var user = await GrantAsync(database, services);

            clock.Advance(TimeSpan.FromHours(1)); // the wait ends: the next round claims the new event
            await WaitUntilAsync(() => Received(user));

            Assert.True(Received(user));
        }
        finally
        {
            await dispatcher.StopAsync(CancellationToken.None);
        }
    }

    /// <summary>The fake clock, reporting each wait the loop starts on it.</summary>
    private sealed class WaitReportingClock(FakeTimeProvider clock) : TimeProvider
    {
        public SemaphoreSlim Started { get; } = new(0);

        public override DateTimeOffset GetUtcNow() => clock.GetUtcNow();

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = clock.CreateTimer(callback, state, dueTime, period);
            Started.Release();
            return timer;
        }
    }

    /// <summary>The fake clock's time with real timers: the poll interval's wait ends without the test moving the clock.</summary>
    private sealed class RealTimers(TimeProvider clock) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => clock.GetUtcNow();
    }

    /// <summary>Scopes whose first creation throws, as a round fails when the database cannot be reached.</summary>
    private sealed class FailingOnceScopes(IServiceScopeFactory inner) : IServiceScopeFactory
    {
        private int created;

        public IServiceScope CreateScope() =>
            Interlocked.Increment(ref created) == 1 ? throw new InvalidOperationException("database unreachable") : inner.CreateScope();
    }
}

public sealed class SqliteDispatcherLoopTests(SqliteCreditsDatabase database) : DispatcherLoopTests<SqliteCreditsDatabase>(database);

public sealed class PostgresDispatcherLoopTests(PostgresCreditsDatabase database) : DispatcherLoopTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbDispatcherLoopTests(MariaDbCreditsDatabase database) : DispatcherLoopTests<MariaDbCreditsDatabase>(database);
