using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace MediaForge.Credits.Events;

/// <summary>
/// Delivers the outbox's events after their commit, at least once: claims due events under a lease
/// (<see cref="CreditEventClaims"/>), hands each to its handlers in a DI scope of its own, marks it dispatched, or gives
/// it back with a backoff when a handler throws. Undelivered rows are all it works from, so events committed before a
/// crash are delivered by the next dispatcher to look, in this process or another.
/// </summary>
internal sealed partial class CreditEventDispatcher(
    IServiceScopeFactory scopes,
    IOptions<CreditsOptions> options,
    TimeProvider time,
    ILogger<CreditEventDispatcher> logger) : BackgroundService
{
    private static readonly TimeSpan PurgeInterval = TimeSpan.FromHours(1);
    private DateTimeOffset nextPurge = DateTimeOffset.MinValue;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var delivered = 0;
            try
            {
                delivered = await DispatchOnceAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                LogRoundFailed(error);
            }

            if (delivered == 0)
            {
                await Task.Delay(options.Value.Events.PollInterval, time, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>One round: claims due events and delivers them. Returns how many were claimed.</summary>
    public async Task<int> DispatchOnceAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var claims = new CreditEventClaims(scope.ServiceProvider.GetRequiredService<CreditsDbContextHandle>().Context, options.Value.Events);
        var owner = Guid.NewGuid();
        var claimed = await claims.ClaimAsync(owner, time.GetUtcNow().UtcDateTime, cancellationToken).ConfigureAwait(false);
        foreach (var row in claimed)
        {
            try
            {
                var creditEvent = CreditEventTypes.Deserialize(row.Type, row.Payload)
                    ?? throw new InvalidOperationException($"Event type '{row.Type}' is unknown to this version of the library.");
                await using (var handlers = scopes.CreateAsyncScope())
                {
                    await CreditEventHandlers.HandleAsync(handlers.ServiceProvider, creditEvent, cancellationToken).ConfigureAwait(false);
                }

                await claims.DeliveredAsync(row.Id, owner, time.GetUtcNow().UtcDateTime, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception error) when (!cancellationToken.IsCancellationRequested)
            {
                LogDeliveryFailed(row.Id, row.Type, row.Attempts + 1, error);
                await claims.FailedAsync(row, owner, error.Message, time.GetUtcNow().UtcDateTime, cancellationToken).ConfigureAwait(false);
            }
        }

        if (claimed.Count == 0 && time.GetUtcNow() >= nextPurge)
        {
            nextPurge = time.GetUtcNow() + PurgeInterval;
            await claims.PurgeAsync(time.GetUtcNow().UtcDateTime, cancellationToken).ConfigureAwait(false);
        }

        return claimed.Count;
    }

    [LoggerMessage(EventId = 1900, Level = LogLevel.Warning, Message = "Credit event {EventId} ({Type}) was not delivered (attempt {Attempt}); it is retried after a backoff")]
    private partial void LogDeliveryFailed(Guid eventId, string type, int attempt, Exception error);

    [LoggerMessage(EventId = 1901, Level = LogLevel.Error, Message = "A credit event dispatch round failed; the dispatcher tries again after its poll interval")]
    private partial void LogRoundFailed(Exception error);
}
