namespace MediaForge.Credits.Entities;

/// <summary>
/// A webhook delivery that was processed (table <c>webhook_events</c>), unique per provider and event id. Claimed,
/// applied and recorded in one transaction, so a duplicate delivery finds it and changes nothing.
/// </summary>
public sealed class WebhookEvent
{
    /// <summary>The row id.</summary>
    public Guid Id { get; set; }

    /// <summary>Who sent it: <c>stripe</c> or <c>clerk</c>.</summary>
    public string Provider { get; set; } = "";

    /// <summary>The provider's event id (Stripe <c>evt_...</c>, Svix <c>msg_...</c>).</summary>
    public string EventId { get; set; } = "";

    /// <summary>The event type, for example <c>checkout.session.completed</c>.</summary>
    public string Type { get; set; } = "";

    /// <summary>What processing did: <c>processed</c>, <c>ignored</c>, or a short reason it was refused.</summary>
    public string Outcome { get; set; } = "";

    /// <summary>When it was processed (UTC).</summary>
    public DateTime ProcessedAt { get; set; }
}
