namespace MediaForge.Credits.Events;

/// <summary>
/// One event in the outbox (table <c>credit_events</c>): inserted in the transaction of the change it tells of, claimed by
/// a dispatcher for a lease, marked dispatched once every handler took it, retried with backoff otherwise.
/// </summary>
internal sealed class CreditEventRow
{
    /// <summary>The event id (<see cref="CreditEvent.EventId"/>).</summary>
    public Guid Id { get; set; }

    /// <summary>The wallet (account id).</summary>
    // Stryker disable once String : equivalent: the only writer (CreditEventOutbox.RaiseAsync) sets it; a read fills it from its non-null column
    public string WalletId { get; set; } = "";

    /// <summary>The event's name on the wire (<see cref="CreditEvent.Type"/>).</summary>
    // Stryker disable once String : equivalent: the only writer (CreditEventOutbox.RaiseAsync) sets it; a read fills it from its non-null column
    public string Type { get; set; } = "";

    /// <summary>The event, as JSON.</summary>
    // Stryker disable once String : equivalent: the only writer (CreditEventOutbox.RaiseAsync) sets it; a read fills it from its non-null column
    public string Payload { get; set; } = "";

    /// <summary>When the change was made (UTC).</summary>
    public DateTime OccurredAt { get; set; }

    /// <summary>Failed deliveries so far.</summary>
    public int Attempts { get; set; }

    /// <summary>Not delivered before this time (UTC): the occurrence, then the backoff after a failure.</summary>
    public DateTime NextAttemptAt { get; set; }

    /// <summary>The claim of the dispatcher delivering it now, if any.</summary>
    public Guid? LeaseOwner { get; set; }

    /// <summary>Until when that claim holds (UTC); past it, any dispatcher may claim the event again.</summary>
    public DateTime? LeasedUntil { get; set; }

    /// <summary>When every handler took it (UTC); <see langword="null"/> while undelivered.</summary>
    public DateTime? DispatchedAt { get; set; }

    /// <summary>The last failure's message, shortened.</summary>
    public string? LastError { get; set; }
}
