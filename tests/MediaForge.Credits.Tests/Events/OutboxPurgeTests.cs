using MediaForge.Credits.Events;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace MediaForge.Credits.Tests.Events;

/// <summary>
/// The dispatcher's purge of delivered events (retention 7 days, the default): only events delivered before the
/// retention period, in an idle round, at most once an hour per dispatcher, on a fake clock.
/// </summary>
public abstract class OutboxPurgeTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Retention = TimeSpan.FromDays(7);
    private readonly FakeTimeProvider clock = new(Start);
    private ServiceProvider? services;

    private ServiceProvider Services => services ??= Outbox.Build(database, threshold: 0, clock, new EventRecorder());

    private CreditEventDispatcher Dispatcher => Services.GetRequiredService<CreditEventDispatcher>();

    private async Task DrainAsync()
    {
        while (await Dispatcher.DispatchOnceAsync(CancellationToken.None) > 0)
        {
        }
    }

    /// <summary>A wallet whose one event was delivered at <see cref="Start"/>, whose idle round purged (nothing) then.</summary>
    private async Task<string> DeliveredAtStartAsync()
    {
        var user = Outbox.NewUser();
        await database.WithCreditsAsync(c => c.AddCreditsAsync(user, 5, CreditTransactionType.Bonus, "bonus"), Services);
        await DrainAsync();
        Assert.Equal(Start.UtcDateTime, Assert.Single(await Outbox.RowsAsync(Services, user)).DispatchedAt);
        return user;
    }

    [Fact]
    public async Task Purge_DeliveredExactlyTheRetentionAgo_IsKept()
    {
        var user = await DeliveredAtStartAsync();

        clock.Advance(Retention); // an idle round purges: the hour since the last purge has passed
        await DrainAsync();

        Assert.Single(await Outbox.RowsAsync(Services, user));
    }

    [Fact]
    public async Task Purge_IdleAgainWithinTheHour_DoesNotPurgeAgain()
    {
        var user = await DeliveredAtStartAsync();
        clock.Advance(Retention);
        await DrainAsync(); // purges, keeping the event delivered exactly the retention ago

        clock.Advance(TimeSpan.FromMinutes(59)); // the event is now older than the retention
        await DrainAsync();

        Assert.Single(await Outbox.RowsAsync(Services, user));
    }

    [Fact]
    public async Task Purge_IdleOnceTheHourHasPassed_DeletesWhatIsOlderThanTheRetention()
    {
        var user = await DeliveredAtStartAsync();
        clock.Advance(Retention);
        await DrainAsync();

        clock.Advance(TimeSpan.FromHours(1)); // to the instant the next purge is due
        await DrainAsync();

        Assert.Empty(await Outbox.RowsAsync(Services, user));
    }
}

public sealed class SqliteOutboxPurgeTests(SqliteCreditsDatabase database) : OutboxPurgeTests<SqliteCreditsDatabase>(database);

public sealed class PostgresOutboxPurgeTests(PostgresCreditsDatabase database) : OutboxPurgeTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbOutboxPurgeTests(MariaDbCreditsDatabase database) : OutboxPurgeTests<MariaDbCreditsDatabase>(database);
