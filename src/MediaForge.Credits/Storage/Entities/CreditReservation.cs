namespace MediaForge.Credits.Entities;

/// <summary>
/// A hold on credits for a long AI job (table <c>credit_reservations</c>): the amount counts against the user's
/// spendable credits until it is captured (charged), released, or expires. Exactly one of the three happens.
/// </summary>
public sealed class CreditReservation
{
    /// <summary>The reservation id.</summary>
    public Guid Id { get; set; }

    /// <summary>The account whose credits are held: the user's own, or a team wallet's (<c>mf:team:{teamId}</c>, see <see cref="MemberId"/>).</summary>
    public string UserId { get; set; } = "";

    /// <summary>
    /// On a hold of a team wallet's credits, the member who placed it (its amount counts against the member's limit
    /// until it is released); <see langword="null"/> for a hold of the user's own credits.
    /// </summary>
    public string? MemberId { get; set; }

    /// <summary>
    /// Whether the hold's amount still counts against its member's limit (a limited team hold until it is released,
    /// captured or expired): whoever turns it off gives the amount back, so it is given back exactly once.
    /// </summary>
    public bool LimitCounted { get; set; }

    /// <summary>The feature (lower case).</summary>
    public string Feature { get; set; } = "";

    /// <summary>The model (lower case).</summary>
    public string Model { get; set; } = "";

    /// <summary>Credits held (0 for unlimited users).</summary>
    public long Amount { get; set; }

    /// <summary>
    /// Credits asked for (the price, or the explicit amount), also for unlimited users: with the feature and the model,
    /// what a retry with the same idempotency key must ask for again to be a replay rather than a conflict.
    /// </summary>
    public long RequestedAmount { get; set; }

    /// <summary>Whether the user was unlimited (admin) when the hold was taken.</summary>
    public bool IsUnlimited { get; set; }

    /// <summary>Where the hold stands.</summary>
    public ReservationStatus Status { get; set; }

    /// <summary>Credits charged when captured.</summary>
    public long? CapturedAmount { get; set; }

    /// <summary>The usage ledger row written on capture.</summary>
    public Guid? TransactionId { get; set; }

    /// <summary>The caller's idempotency key; unique per user.</summary>
    public string? IdempotencyKey { get; set; }

    /// <summary>When the hold lapses if not captured (UTC).</summary>
    public DateTime ExpiresAt { get; set; }

    /// <summary>When the hold was taken (UTC).</summary>
    public DateTime CreatedAt { get; set; }

    /// <summary>When it was captured, released or expired (UTC).</summary>
    public DateTime? SettledAt { get; set; }
}
