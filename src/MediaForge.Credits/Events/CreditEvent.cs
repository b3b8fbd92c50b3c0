using System.Text.Json.Serialization;

namespace MediaForge.Credits.Events;

/// <summary>
/// Something a host may react to, written to the outbox (<c>credit_events</c>) in the same transaction as the change and
/// handed to every <see cref="ICreditEventHandler{TEvent}"/> after the commit, at least once: a handler may see an event
/// again (after a crash or a failed handler), so it de-duplicates by <see cref="EventId"/>.
/// </summary>
public abstract class CreditEvent
{
    private protected CreditEvent()
    {
    }

    /// <summary>The event's id, the same on every delivery of it: the key to de-duplicate by.</summary>
    public Guid EventId { get; init; }

    /// <summary>The wallet the change is about: a user id, or <c>mf:team:{id}</c> for a team's wallet.</summary>
    // Stryker disable once String : equivalent: every raiser of every event sets it, and every payload carries it (Serialize writes every property; it is as old as the event)
    public string WalletId { get; init; } = "";

    /// <summary>When the change was made (the library's <see cref="TimeProvider"/>, UTC).</summary>
    public DateTimeOffset OccurredAt { get; init; }

    /// <summary>The event's stable name on the wire (outbox rows and outbound webhooks), for example <c>credits.low_balance</c>.</summary>
    [JsonIgnore]
    public abstract string Type { get; }
}
