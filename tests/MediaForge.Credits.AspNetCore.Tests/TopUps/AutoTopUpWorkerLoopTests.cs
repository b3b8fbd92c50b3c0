using System.Threading.Channels;
using MediaForge.Credits.AspNetCore.Stripe;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace MediaForge.Credits.AspNetCore.Tests.TopUps;

/// <summary>
/// The charging worker as a hosted service: it charges due top-ups without being asked, waits the poll interval after a
/// round that claimed nothing, and a round that throws (the database out of reach) is logged and followed by the next
/// one, never ending the worker. Each test runs its own worker on a fake clock; the host's own is stopped.
/// </summary>
public abstract class AutoTopUpWorkerLoopTests<TDatabase>(TDatabase database) : AutoTopUpAppTests<TDatabase>(database)
    where TDatabase : CreditsDatabase
{
    /// <summary>How long a test waits for the worker to do what it must do at once (a ceiling, not a measurement).</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan PollInterval = TimeSpan.FromHours(1);

    private readonly WaitClock clock = new();

    private StripeTopUpWorker Worker(IServiceScopeFactory? scopes = null) => new(
        scopes ?? App.Services.GetRequiredService<IServiceScopeFactory>(), App.Services.GetRequiredService<StripeClientAccessor>(),
        App.Services.GetRequiredService<IOptions<CreditsOptions>>(), clock, NullLogger<StripeTopUpWorker>.Instance);

    private async Task ChargedAsync(string user)
    {
        using var timeout = new CancellationTokenSource(Patience);
        while (ChargesOf(user).Count == 0)
        {
            await Task.Delay(10, timeout.Token);
        }
    }

    [Fact]
    public async Task Worker_Started_ChargesADueTopUpWithoutBeingAsked()
    {
        var (user, _) = await CrossedAsync();
        using var worker = Worker();

        await worker.StartAsync(default);
        await ChargedAsync(user);
        await worker.StopAsync(default);

        Assert.Single(ChargesOf(user));
    }

    [Fact]
    public async Task Worker_AfterARoundThatClaimedNothing_WaitsThePollIntervalBeforeTheNext()
    {
        using var worker = Worker();
        await worker.StartAsync(default);
        Assert.Equal(PollInterval, await clock.NextWaitAsync(Patience));

        var (user, _) = await CrossedAsync();
        await Task.Delay(200);
        var chargedBeforeThePoll = ChargesOf(user).Count;
        clock.Advance(PollInterval);
        await ChargedAsync(user);
        await worker.StopAsync(default);

        Assert.Equal(0, chargedBeforeThePoll);
    }

    [Fact]
    public async Task Worker_RoundThatThrows_IsFollowedByTheNextRoundAfterThePollInterval()
    {
        var (user, _) = await CrossedAsync();
        var scopes = new FailingOnceScopes(App.Services.GetRequiredService<IServiceScopeFactory>());
        using var worker = Worker(scopes);

        await worker.StartAsync(default);
        Assert.Equal(PollInterval, await clock.NextWaitAsync(Patience));
        clock.Advance(PollInterval);
        await ChargedAsync(user);
        await worker.StopAsync(default);

        Assert.Equal((1, 1), (scopes.Failed, ChargesOf(user).Count));
    }

    /// <summary>A fake clock that reports each wait (timer) started on it.</summary>
    private sealed class WaitClock : FakeTimeProvider
    {
        private readonly Channel<TimeSpan> waits = Channel.CreateUnbounded<TimeSpan>();

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            waits.Writer.TryWrite(dueTime);
            return base.CreateTimer(callback, state, dueTime, period);
        }

        public async Task<TimeSpan> NextWaitAsync(TimeSpan patience)
        {
            using var timeout = new CancellationTokenSource(patience);
            return await waits.Reader.ReadAsync(timeout.Token);
        }
    }

    /// <summary>Scopes whose first creation throws, as a round does when its database is out of reach.</summary>
    private sealed class FailingOnceScopes(IServiceScopeFactory inner) : IServiceScopeFactory
    {
        public int Failed { get; private set; }

        public IServiceScope CreateScope()
        {
            if (Failed == 0)
            {
                Failed++;
                throw new InvalidOperationException("The database is out of reach.");
            }

            return inner.CreateScope();
        }
    }
}

public sealed class SqliteAutoTopUpWorkerLoopTests(SqliteCreditsDatabase database) : AutoTopUpWorkerLoopTests<SqliteCreditsDatabase>(database);

public sealed class PostgresAutoTopUpWorkerLoopTests(PostgresCreditsDatabase database) : AutoTopUpWorkerLoopTests<PostgresCreditsDatabase>(database);
