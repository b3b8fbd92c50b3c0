namespace MediaForge.Credits.Holds;

/// <summary>A reservation as read for settling it.</summary>
internal sealed record CreditReservationRow(Guid Id, string UserId, string Feature, string Model, long Amount, bool IsUnlimited,
    ReservationStatus Status, long? CapturedAmount, Guid? TransactionId, DateTime ExpiresAt, string? MemberId = null, DateTime CreatedAt = default);
