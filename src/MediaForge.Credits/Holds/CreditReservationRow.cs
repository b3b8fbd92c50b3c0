using System.Linq.Expressions;

namespace MediaForge.Credits.Holds;

/// <summary>A reservation as read for settling it.</summary>
internal sealed record CreditReservationRow(Guid Id, string UserId, string Feature, string Model, long Amount, bool IsUnlimited,
    ReservationStatus Status, long? CapturedAmount, Guid? TransactionId, DateTime ExpiresAt, string? MemberId = null, DateTime CreatedAt = default,
    bool LimitCounted = false, string? IdempotencyKey = null)
{
    /// <summary>The projection of a stored reservation into this record, for queries.</summary>
    public static readonly Expression<Func<CreditReservation, CreditReservationRow>> Of = r => new CreditReservationRow(r.Id, r.UserId, r.Feature, r.Model,
        r.Amount, r.IsUnlimited, r.Status, r.CapturedAmount, r.TransactionId, r.ExpiresAt, r.MemberId, r.CreatedAt, r.LimitCounted, r.IdempotencyKey);
}
