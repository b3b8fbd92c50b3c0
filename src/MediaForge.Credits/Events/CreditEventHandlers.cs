using Microsoft.Extensions.DependencyInjection;

namespace MediaForge.Credits.Events;

/// <summary>Hands one event to the handlers of its type, then to the handlers of every event, in registration order.</summary>
internal static class CreditEventHandlers
{
    public static Task HandleAsync(IServiceProvider services, CreditEvent creditEvent, CancellationToken cancellationToken) => creditEvent switch
    {
        LowBalance e => HandleAsync(services, e, cancellationToken),
        Depleted e => HandleAsync(services, e, cancellationToken),
        Granted e => HandleAsync(services, e, cancellationToken),
        PurchaseCompleted e => HandleAsync(services, e, cancellationToken),
        PurchaseRefunded e => HandleAsync(services, e, cancellationToken),
        SubscriptionRenewed e => HandleAsync(services, e, cancellationToken),
        TopUpSucceeded e => HandleAsync(services, e, cancellationToken),
        TopUpFailed e => HandleAsync(services, e, cancellationToken),
        HoldExpired e => HandleAsync(services, e, cancellationToken),
        _ => throw new InvalidOperationException($"No delivery for event type '{creditEvent.Type}'."),
    };

    private static async Task HandleAsync<TEvent>(IServiceProvider services, TEvent creditEvent, CancellationToken cancellationToken)
        where TEvent : CreditEvent
    {
        foreach (var handler in services.GetServices<ICreditEventHandler<TEvent>>())
        {
            await handler.HandleAsync(creditEvent, cancellationToken).ConfigureAwait(false);
        }

        foreach (var handler in services.GetServices<ICreditEventHandler<CreditEvent>>())
        {
            await handler.HandleAsync(creditEvent, cancellationToken).ConfigureAwait(false);
        }
    }
}
