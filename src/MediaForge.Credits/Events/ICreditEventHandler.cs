namespace MediaForge.Credits.Events;

/// <summary>
/// Reacts to credit events of type <typeparamref name="TEvent"/> after their change was committed; register it with
/// <see cref="CreditsBuilder.AddEventHandler{THandler}"/>. <c>ICreditEventHandler&lt;CreditEvent&gt;</c> gets every
/// event. Delivery is at least once: a handler that throws gets the event again later (with backoff), and so may every
/// other handler of that event, so each de-duplicates by <see cref="CreditEvent.EventId"/>.
/// </summary>
/// <typeparam name="TEvent">The event type, or <see cref="CreditEvent"/> for all of them.</typeparam>
public interface ICreditEventHandler<in TEvent>
    where TEvent : CreditEvent
{
    /// <summary>Handles one event, in a DI scope of its own.</summary>
    /// <param name="creditEvent">The event.</param>
    /// <param name="cancellationToken">Cancelled when the host stops.</param>
    /// <returns>A task that completes when the event is handled; a failure makes it come again.</returns>
    Task HandleAsync(TEvent creditEvent, CancellationToken cancellationToken);
}
