namespace MediaForge.Credits.Events;

/// <summary>
/// One outbound webhook endpoint's progress with one event (table <c>credit_webhook_deliveries</c>): an endpoint that
/// took the event is not sent it again when the event is retried for another endpoint.
/// </summary>
internal sealed class CreditWebhookDelivery
{
    /// <summary>The event id.</summary>
    public Guid EventId { get; set; }

    /// <summary>The endpoint's configured name.</summary>
    // Stryker disable once String : equivalent: the only writer (CreditWebhookSender) sets it; a read fills it from its non-null column
    public string Endpoint { get; set; } = "";

    /// <summary>Attempts so far.</summary>
    public int Attempts { get; set; }

    /// <summary>The HTTP status of the last attempt (<see langword="null"/>: no answer).</summary>
    public int? LastStatus { get; set; }

    /// <summary>The last failure, shortened.</summary>
    public string? LastError { get; set; }

    /// <summary>When the endpoint answered 2xx (UTC); <see langword="null"/> until then.</summary>
    public DateTime? DeliveredAt { get; set; }

    /// <summary>When the row last changed (UTC).</summary>
    public DateTime UpdatedAt { get; set; }
}
