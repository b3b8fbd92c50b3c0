using MediaForge.Credits.Events;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace MediaForge.Credits.Tests.Events;

/// <summary>The outbox dispatcher: delivery after commit, retries with backoff on a fake clock, leases across dispatchers.</summary>
public abstract class DispatcherTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider clock = new(Start);
    private readonly EventRecorder recorder = new();
    private ServiceProvider? services;

    private ServiceProvider Services => services ??= Outbox.Build(database, threshold: 0, clock, recorder,
        o => (o.Events.RetryDelay, o.Events.MaxRetryDelay, o.Events.LeaseDuration) = (TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(1)));

    private CreditEventDispatcher Dispatcher => Services.GetRequiredService<CreditEventDispatcher>();

    private async Task<string> GrantAsync(long amount = 5, int fail = 0)
    {
        var user = Outbox.NewUser();
        (recorder.FailWallet, recorder.FailuresLeft) = (user, fail);
        await GrantToAsync(user, amount);
        return user;
    }

    private Task<CreditTransactionResult> GrantToAsync(string user, long amount) =>
        database.WithCreditsAsync(c => c.AddCreditsAsync(user, amount, CreditTransactionType.Bonus, "bonus"), Services);

    /// <summary>Dispatch rounds until nothing is due (other tests' events of the same database included).</summary>
    private async Task DrainAsync(CreditEventDispatcher? dispatcher = null)
    {
        while (await (dispatcher ?? Dispatcher).DispatchOnceAsync(CancellationToken.None) > 0)
        {
        }
    }

    private List<CreditEvent> ReceivedFor(string user) => recorder.Received.Where(e => e.WalletId == user).ToList();

    [Fact]
    public async Task Dispatch_CommittedEvent_DeliversItToTheAllEventsHandlerAndMarksItDispatched()
    {
        var user = await GrantAsync();

        await DrainAsync();

        var granted = Assert.IsType<Granted>(Assert.Single(ReceivedFor(user)));
        Assert.Equal(5, granted.Amount);
        var row = Assert.Single(await Outbox.RowsAsync(Services, user));
        Assert.Equal((Start.UtcDateTime, (Guid?)null), (row.DispatchedAt, row.LeaseOwner));
    }

    [Fact]
    public async Task Dispatch_TypedHandler_GetsOnlyItsType()
    {
        var typed = new TypedRecorder();
        var provider = database.BuildServices(database.ConnectionString, o => o.Events.LowBalanceThreshold = 10, clock,
            configureServices: s => s.AddSingleton<ICreditEventHandler<LowBalance>>(typed));
        var user = Outbox.NewUser();
        await database.WithCreditsAsync(c => c.AddCreditsAsync(user, 12, CreditTransactionType.Bonus, "bonus"), provider);
        await database.WithCreditsAsync(c => c.DeductCreditsAsync(user, "image-generation", "default"), provider);

        await DrainAsync(provider.GetRequiredService<CreditEventDispatcher>());

        var alert = Assert.Single(typed.Received, e => e.WalletId == user);
        Assert.Equal(9, alert.Balance);
    }

    [Fact]
    public async Task Dispatch_AlreadyDispatched_IsNotDeliveredAgain()
    {
        var user = await GrantAsync();
        await DrainAsync();

        clock.Advance(TimeSpan.FromHours(1));
        await DrainAsync();

        Assert.Single(ReceivedFor(user));
    }

    [Fact]
    public async Task Dispatch_HandlerFails_EventStaysUndispatchedWithItsAttemptAndBackoff()
    {
        await DrainAsync();
        var user = await GrantAsync(fail: 1);

        await DrainAsync();

        Assert.Empty(ReceivedFor(user));
        var row = Assert.Single(await Outbox.RowsAsync(Services, user));
        Assert.Equal((1, (DateTime?)null, Start.UtcDateTime.AddSeconds(10), "handler down"), (row.Attempts, row.DispatchedAt, row.NextAttemptAt, row.LastError));
    }

    [Fact]
    public async Task Dispatch_AfterAFailure_RetriesOnlyOnceTheBackoffHasPassed()
    {
        await DrainAsync();
        var user = await GrantAsync(fail: 1);
        await DrainAsync();

        clock.Advance(TimeSpan.FromSeconds(9));
        await DrainAsync();
        Assert.Empty(ReceivedFor(user));

        clock.Advance(TimeSpan.FromSeconds(1));
        await DrainAsync();
        Assert.Single(ReceivedFor(user));
    }

    [Fact]
    public async Task Dispatch_RoundOfAnotherDueEvent_LeavesTheOneInItsBackoff()
    {
        await DrainAsync();
        var failed = await GrantAsync(fail: 1);
        await DrainAsync();
        var other = await GrantAsync();

        await DrainAsync();

        Assert.Single(ReceivedFor(other));
        Assert.Empty(ReceivedFor(failed));
    }

    [Fact]
    public async Task Dispatch_SeveralDueEvents_DeliversThemInTheOrderTheyOccurred()
    {
        await DrainAsync();
        var user = Outbox.NewUser();
        foreach (var amount in new long[] { 1, 2, 3 })
        {
            await GrantToAsync(user, amount);
            clock.Advance(TimeSpan.FromSeconds(1));
        }

        await DrainAsync();

        Assert.Equal([1L, 2L, 3L], ReceivedFor(user).Cast<Granted>().Select(g => g.Amount));
    }

    [Fact]
    public async Task Dispatch_SeveralEventsOfOneInstant_DeliversThemInIdOrder()
    {
        await DrainAsync();
        var user = Outbox.NewUser();
        for (var i = 0; i < 5; i++)
        {
            await GrantToAsync(user, 1);
        }

        await DrainAsync();

        var delivered = ReceivedFor(user).Select(e => e.EventId).ToList();
        Assert.Equal(delivered.Order(), delivered);
    }

    [Fact]
    public async Task Dispatch_MoreDueThanABatch_ClaimsTheLongestDueFirst()
    {
        await DrainAsync();
        var (sooner, later) = (await GrantAsync(), Outbox.NewUser());
        clock.Advance(TimeSpan.FromSeconds(1));
        await GrantToAsync(later, 5);
        var oneAtATime = Outbox.Build(database, threshold: 0, clock, recorder, o => o.Events.BatchSize = 1);

        await oneAtATime.GetRequiredService<CreditEventDispatcher>().DispatchOnceAsync(CancellationToken.None);

        Assert.Equal((1, 0), (ReceivedFor(sooner).Count, ReceivedFor(later).Count));
    }

    [Fact]
    public async Task Dispatch_RepeatedFailures_BackoffDoublesUpToTheCap()
    {
        await DrainAsync();
        var user = await GrantAsync(fail: 4);
        var waits = new List<TimeSpan>();
        for (var i = 0; i < 4; i++)
        {
            await DrainAsync();
            var row = Assert.Single(await Outbox.RowsAsync(Services, user));
            waits.Add(row.NextAttemptAt - clock.GetUtcNow().UtcDateTime);
            clock.Advance(waits[^1]);
        }

        await DrainAsync();

        Assert.Equal([TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30)], waits);
        Assert.Single(ReceivedFor(user));
    }

    [Fact]
    public async Task Dispatch_LeaseOfACrashedDispatcher_AnotherDeliversOnlyAfterTheLeaseRanOut()
    {
        await DrainAsync();
        var user = await GrantAsync();
        await using (var scope = Services.CreateAsyncScope())
        {
            // A dispatcher claims the event and dies before delivering it.
            var claims = new CreditEventClaims(scope.ServiceProvider.GetRequiredService<MediaForge.Credits.Storage.CreditsDbContext>(), new CreditEventOptions { LeaseDuration = TimeSpan.FromMinutes(1) });
            Assert.Contains(await claims.ClaimAsync(Guid.NewGuid(), clock.GetUtcNow().UtcDateTime, CancellationToken.None), r => r.WalletId == user);
        }

        await DrainAsync();
        Assert.Empty(ReceivedFor(user));

        clock.Advance(TimeSpan.FromMinutes(1));
        await DrainAsync();
        Assert.Single(ReceivedFor(user));
    }

    [Fact]
    public async Task Dispatch_DeliveredAgainAfterACrashBeforeTheMark_CarriesTheSameEventId()
    {
        await DrainAsync();
        var user = await GrantAsync();
        await DrainAsync();
        // As if the process died after the handler ran and before the row was marked.
        await database.WithContextAsync(db => db.Set<CreditEventRow>().Where(e => e.WalletId == user)
            .ExecuteUpdateAsync(s => s.SetProperty(e => e.DispatchedAt, (DateTime?)null)));

        await DrainAsync();

        var deliveries = ReceivedFor(user);
        Assert.Equal(2, deliveries.Count);
        Assert.Single(deliveries.Select(e => e.EventId).Distinct());
    }

    [Fact]
    public async Task Dispatch_TwoDispatchersAtOnce_NeverHandTheSameEventOutTwice()
    {
        await DrainAsync();
        var users = new List<string>();
        for (var i = 0; i < 30; i++)
        {
            users.Add(await GrantAsync());
        }

        var second = new CreditEventDispatcher(Services.GetRequiredService<IServiceScopeFactory>(), Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<CreditsOptions>>(),
            clock, Microsoft.Extensions.Logging.Abstractions.NullLogger<CreditEventDispatcher>.Instance);
        await Task.WhenAll(Task.Run(() => DrainAsync()), Task.Run(() => DrainAsync(second)), Task.Run(() => DrainAsync()), Task.Run(() => DrainAsync(second)));

        Assert.All(users, u => Assert.Single(ReceivedFor(u)));
    }

    [Fact]
    public async Task Dispatch_DeliveredLongerThanTheRetentionAgo_IsDeleted()
    {
        var user = await GrantAsync();
        await DrainAsync();

        clock.Advance(TimeSpan.FromDays(8));
        var fresh = new CreditEventDispatcher(Services.GetRequiredService<IServiceScopeFactory>(), Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<CreditsOptions>>(),
            clock, Microsoft.Extensions.Logging.Abstractions.NullLogger<CreditEventDispatcher>.Instance);
        await DrainAsync(fresh);

        Assert.Empty(await Outbox.RowsAsync(Services, user));
    }

    private sealed class TypedRecorder : ICreditEventHandler<LowBalance>
    {
        public System.Collections.Concurrent.ConcurrentBag<LowBalance> Received { get; } = [];

        public Task HandleAsync(LowBalance creditEvent, CancellationToken cancellationToken)
        {
            Received.Add(creditEvent);
            return Task.CompletedTask;
        }
    }
}

public sealed class SqliteDispatcherTests(SqliteCreditsDatabase database) : DispatcherTests<SqliteCreditsDatabase>(database);

public sealed class PostgresDispatcherTests(PostgresCreditsDatabase database) : DispatcherTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbDispatcherTests(MariaDbCreditsDatabase database) : DispatcherTests<MariaDbCreditsDatabase>(database);
