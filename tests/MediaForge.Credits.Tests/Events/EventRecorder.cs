using System.Collections.Concurrent;
using MediaForge.Credits.Events;
using MediaForge.Credits.Storage;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MediaForge.Credits.Tests.Events;

/// <summary>A handler of every event that records what it got (and can be told to fail or to wait).</summary>
internal sealed class EventRecorder : ICreditEventHandler<CreditEvent>
{
    public ConcurrentQueue<CreditEvent> Received { get; } = new();

    /// <summary>Deliveries of <see cref="FailWallet"/>'s events to refuse before accepting (each refusal throws).</summary>
    public int FailuresLeft;

    /// <summary>The wallet whose events fail (<see cref="FailuresLeft"/> times).</summary>
    public string? FailWallet { get; set; }

    /// <summary>The message of each refusal.</summary>
    public string FailMessage { get; set; } = "handler down";

    /// <summary>Held in every delivery while set (the test releases it).</summary>
    public TaskCompletionSource? Gate { get; set; }

    public async Task HandleAsync(CreditEvent creditEvent, CancellationToken cancellationToken)
    {
        if (Gate is { } gate)
        {
            await gate.Task.WaitAsync(cancellationToken);
        }

        if (creditEvent.WalletId == FailWallet && Interlocked.Decrement(ref FailuresLeft) >= 0)
        {
            throw new InvalidOperationException(FailMessage);
        }

        Received.Enqueue(creditEvent);
    }
}

/// <summary>The outbox rows of the tests' databases.</summary>
internal static class Outbox
{
    /// <summary>The wallet's events, by type name.</summary>
    public static async Task<List<CreditEventRow>> RowsAsync(IServiceProvider services, string walletId)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CreditsDbContext>();
        return await db.Set<CreditEventRow>().AsNoTracking().Where(e => e.WalletId == walletId).ToListAsync();
    }

    /// <summary>How many of the wallet's events have type <paramref name="type"/>.</summary>
    public static async Task<int> CountAsync(IServiceProvider services, string walletId, string type) =>
        (await RowsAsync(services, walletId)).Count(r => r.Type == type);

    /// <summary>The wallet's events of one type, read back as the dispatcher reads them.</summary>
    public static async Task<List<T>> EventsAsync<T>(IServiceProvider services, string walletId)
        where T : CreditEvent =>
        (await RowsAsync(services, walletId)).Select(r => CreditEventTypes.Deserialize(r.Type, r.Payload)).OfType<T>().ToList();

    public static string NewUser() => "ev_" + Guid.NewGuid().ToString("N");

    /// <summary>Services on the fixture's database with a threshold, a clock and a recorder of every event.</summary>
    public static ServiceProvider Build(CreditsDatabase database, long threshold, TimeProvider? time = null, EventRecorder? recorder = null,
        Action<CreditsOptions>? configure = null) =>
        database.BuildServices(database.ConnectionString, o =>
        {
            o.Events.LowBalanceThreshold = threshold;
            configure?.Invoke(o);
        }, time, configureServices: s =>
        {
            if (recorder is not null)
            {
                s.AddSingleton<ICreditEventHandler<CreditEvent>>(recorder);
            }
        });
}
