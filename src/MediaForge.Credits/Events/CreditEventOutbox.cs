namespace MediaForge.Credits.Events;

/// <summary>
/// Writes events into the outbox (<c>credit_events</c>) inside the transaction of the change they tell of: they commit
/// with it or roll back with it. Delivery is the dispatcher's, after the commit.
/// </summary>
internal static class CreditEventOutbox
{
    /// <summary>A new event id, ordered by time (version 7).</summary>
    public static Guid NewId(DateTimeOffset now) => Guid.CreateVersion7(now);

    /// <summary>Inserts <paramref name="creditEvent"/> in the context's current transaction.</summary>
    public static Task RaiseAsync(DbContext db, CreditEvent creditEvent, CancellationToken cancellationToken)
    {
        var at = creditEvent.OccurredAt.UtcDateTime;
        return db.InsertDetachedAsync(new CreditEventRow
        {
            Id = creditEvent.EventId,
            WalletId = creditEvent.WalletId,
            Type = creditEvent.Type,
            Payload = CreditEventTypes.Serialize(creditEvent),
            OccurredAt = at,
            NextAttemptAt = at,
        }, cancellationToken);
    }
}
