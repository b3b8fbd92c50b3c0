using MediaForge.Credits.Events;
using MediaForge.Credits.Storage;
using MediaForge.Credits.Tests.Events;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace MediaForge.Credits.Tests.Torture;

/// <summary>
/// kill -9 of an app instance granting credits with its outbox dispatcher running (a <c>TortureWorker</c> with
/// <c>--dispatch</c>): events committed but not yet delivered, and events claimed but not yet marked, are all delivered by
/// the next dispatcher, each at least once, every one of them with the id it was committed with.
/// </summary>
public abstract class EventCrashTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private const int Keys = 1000;
    private const int KillAfter = 300;

    [Fact]
    public async Task Dispatch_AfterTheWorkerWasKilledBetweenCommitAndDispatch_EveryCommittedEventIsDeliveredAtLeastOnce()
    {
        var prefix = "crash_events_" + Guid.NewGuid().ToString("N") + "_";
        IReadOnlyCollection<Guid> deliveredByWorker;
        using (var worker = TortureWorker.Start(database, database.ConnectionString,
            "--mode", "grant-keys", "--user", prefix, "--users", "10", "--amount", "10", "--keys", Keys.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--key-prefix", "session-", "--workers", "8", "--dispatch"))
        {
            await worker.KillAfterAsync(KillAfter);
            deliveredByWorker = [.. worker.DeliveredEvents];
        }

        var (committed, grantRows) = await CommittedAsync(prefix);
        Assert.True(committed.Count(e => e.DispatchedAt is null) > 0, "The kill left no undelivered event: nothing was tested.");

        // The next instance, started after the dead one's leases ran out.
        var recorder = new EventRecorder();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow.AddMinutes(10));
        var next = Outbox.Build(database, threshold: 0, clock, recorder);
        while (await next.GetRequiredService<CreditEventDispatcher>().DispatchOnceAsync(CancellationToken.None) > 0)
        {
        }

        var delivered = deliveredByWorker.Concat(recorder.Received.Select(e => e.EventId)).ToHashSet();
        Assert.All(committed, e => Assert.Contains(e.Id, delivered));
        var grantedRows = recorder.Received.OfType<Granted>().Select(g => g.TransactionId)
            .Concat(committed.Where(e => deliveredByWorker.Contains(e.Id)).Select(e => ((Granted)CreditEventTypes.Deserialize(e.Type, e.Payload)!).TransactionId))
            .ToHashSet();
        Assert.All(grantRows, id => Assert.Contains(id, grantedRows));
        Assert.All((await CommittedAsync(prefix)).Events, e => Assert.NotNull(e.DispatchedAt));
    }

    /// <summary>The outbox rows and the ledger's grant rows of the worker's users.</summary>
    private async Task<(List<CreditEventRow> Events, List<Guid> GrantRows)> CommittedAsync(string prefix)
    {
        await using var scope = database.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CreditsDbContext>();
        var events = await db.Set<CreditEventRow>().AsNoTracking().Where(e => e.WalletId.StartsWith(prefix)).ToListAsync();
        var grants = await db.Transactions.AsNoTracking().Where(t => t.UserId.StartsWith(prefix)).Select(t => t.Id).ToListAsync();
        Assert.Equal(grants.Count, events.Count);
        return (events, grants);
    }
}

public sealed class SqliteEventCrashTests(SqliteCreditsDatabase database) : EventCrashTests<SqliteCreditsDatabase>(database);

public sealed class PostgresEventCrashTests(PostgresCreditsDatabase database) : EventCrashTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbEventCrashTests(MariaDbCreditsDatabase database) : EventCrashTests<MariaDbCreditsDatabase>(database);
