using System.Data.Common;
using MediaForge.Credits.Events;
using MediaForge.Credits.Storage;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace MediaForge.Credits.Tests.Events;

/// <summary>
/// What a dispatcher claims and writes back on an outbox row: only rows its own claim won, only under its own claim, the
/// failure's message cut to the stored bound, and the error of a row whose type this version does not know.
/// </summary>
public abstract class OutboxClaimTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(1);
    private readonly FakeTimeProvider clock = new(Start);
    private readonly EventRecorder recorder = new();
    private ServiceProvider? services;

    private ServiceProvider Services => services ??= Outbox.Build(database, threshold: 0, clock, recorder, o => o.Events.LeaseDuration = Lease);

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    private async Task DrainAsync()
    {
        var dispatcher = Services.GetRequiredService<CreditEventDispatcher>();
        while (await dispatcher.DispatchOnceAsync(CancellationToken.None) > 0)
        {
        }
    }

    private async Task<string> GrantAsync()
    {
        var user = Outbox.NewUser();
        await database.WithCreditsAsync(c => c.AddCreditsAsync(user, 5, CreditTransactionType.Bonus, "bonus"), Services);
        return user;
    }

    [Fact]
    public async Task Delivered_ByAClaimerWhoseLeaseWasTakenOver_LeavesTheRowToTheNewClaimer()
    {
        await DrainAsync();
        var user = await GrantAsync();
        var (late, current) = (Guid.NewGuid(), Guid.NewGuid());
        await using var scope = Services.CreateAsyncScope();
        var claims = new CreditEventClaims(scope.ServiceProvider.GetRequiredService<CreditsDbContext>(), new CreditEventOptions { LeaseDuration = Lease });
        var row = Assert.Single(await claims.ClaimAsync(late, Now, CancellationToken.None), r => r.WalletId == user);
        clock.Advance(Lease);
        Assert.Contains(await claims.ClaimAsync(current, Now, CancellationToken.None), r => r.Id == row.Id);

        await claims.DeliveredAsync(row.Id, late, Now, CancellationToken.None);

        var stored = Assert.Single(await Outbox.RowsAsync(Services, user));
        Assert.Equal(((DateTime?)null, (Guid?)current), (stored.DispatchedAt, stored.LeaseOwner));
    }

    [Fact]
    public async Task Claim_RowsAnotherClaimerTookBetweenTheReadAndTheUpdate_AreNotReturned()
    {
        await DrainAsync();
        var user = await GrantAsync();
        var options = new CreditEventOptions { LeaseDuration = Lease };
        IReadOnlyList<CreditEventRow> taken = [];
        var between = new BeforeTheFirstOutboxUpdate(async () =>
        {
            await using var other = Services.CreateAsyncScope();
            taken = await new CreditEventClaims(other.ServiceProvider.GetRequiredService<CreditsDbContext>(), options).ClaimAsync(Guid.NewGuid(), Now, CancellationToken.None);
        });
        await using var intercepted = database.BuildServices(database.ConnectionString, time: clock, configureContext: c => c.AddInterceptors(between));
        await using var scope = intercepted.CreateAsyncScope();

        var claimed = await new CreditEventClaims(scope.ServiceProvider.GetRequiredService<CreditsDbContext>(), options).ClaimAsync(Guid.NewGuid(), Now, CancellationToken.None);

        Assert.Contains(taken, r => r.WalletId == user);
        Assert.DoesNotContain(claimed, r => r.WalletId == user);
    }

    [Fact]
    public async Task Dispatch_HandlerFailsWithALongMessage_StoresItsFirst500Characters()
    {
        await DrainAsync();
        var user = Outbox.NewUser();
        var message = string.Concat(Enumerable.Range(0, 60).Select(i => $"{i:D2}-3456789")); // 600 characters, each ten told apart
        (recorder.FailWallet, recorder.FailuresLeft, recorder.FailMessage) = (user, 1, message);
        await database.WithCreditsAsync(c => c.AddCreditsAsync(user, 5, CreditTransactionType.Bonus, "bonus"), Services);

        await DrainAsync();

        var row = Assert.Single(await Outbox.RowsAsync(Services, user));
        Assert.Equal((1, message[..500]), (row.Attempts, row.LastError));
    }

    [Fact]
    public async Task Dispatch_RowOfATypeUnknownToThisVersion_IsGivenBackWithTheTypeInItsError()
    {
        await DrainAsync();
        var user = Outbox.NewUser();
        await database.WithContextAsync(async db =>
        {
            db.Add(new CreditEventRow
            {
                Id = Guid.CreateVersion7(Start), WalletId = user, Type = "credits.from_a_newer_version", Payload = "{}",
                OccurredAt = Start.UtcDateTime, NextAttemptAt = Start.UtcDateTime,
            });
            await db.SaveChangesAsync();
        });

        await DrainAsync();

        var row = Assert.Single(await Outbox.RowsAsync(Services, user));
        Assert.Equal((1, (DateTime?)null, "Event type 'credits.from_a_newer_version' is unknown to this version of the library."),
            (row.Attempts, row.DispatchedAt, row.LastError));
        Assert.DoesNotContain(recorder.Received, e => e.WalletId == user);
    }

    /// <summary>Runs <paramref name="first"/> once, just before the first <c>UPDATE</c> of the outbox: another claimer in between.</summary>
    private sealed class BeforeTheFirstOutboxUpdate(Func<Task> first) : DbCommandInterceptor
    {
        private int ran;

        public override async ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            var text = InterceptedCommand.Text(command);
            if (text.TrimStart().StartsWith("UPDATE", StringComparison.OrdinalIgnoreCase) && text.Contains("credit_events", StringComparison.Ordinal)
                && Interlocked.Exchange(ref ran, 1) == 0)
            {
                await first();
            }

            return await base.NonQueryExecutingAsync(command, eventData, result, cancellationToken);
        }
    }
}

public sealed class SqliteOutboxClaimTests(SqliteCreditsDatabase database) : OutboxClaimTests<SqliteCreditsDatabase>(database);

public sealed class PostgresOutboxClaimTests(PostgresCreditsDatabase database) : OutboxClaimTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbOutboxClaimTests(MariaDbCreditsDatabase database) : OutboxClaimTests<MariaDbCreditsDatabase>(database);
