using MediaForge.Credits.Entities;
using Microsoft.EntityFrameworkCore;

namespace MediaForge.Credits.Internal;

/// <summary>
/// The held-credits column (<c>credits.reserved</c>) kept in step with <c>credit_reservations</c>. Every change of a hold
/// first wins a conditional status change of the reservation row (<c>WHERE status = 'Active'</c>), then moves the
/// credits row, in one transaction: so exactly one of capture, release and expiry applies, also when they race.
/// </summary>
internal static class CreditHolds
{
    /// <summary>Takes a hold if the user's spendable credits cover it, none has lapsed unrecorded, and the user is not flagged admin.</summary>
    public static async Task<bool> TryHoldAsync(DbContext db, string userId, long amount, DateTime now, CancellationToken cancellationToken) =>
        await db.Set<CreditAccount>()
            .Where(a => a.UserId == userId && a.Balance - a.Reserved >= amount && (a.NextExpiryAt == null || a.NextExpiryAt > now)
                && !db.Set<CreditUser>().Any(u => u.Id == userId && u.IsAdmin))
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.Reserved, a => a.Reserved + amount).SetProperty(a => a.UpdatedAt, now), cancellationToken)
            .ConfigureAwait(false) == 1;

    /// <summary>Ends an active hold as <paramref name="to"/> if it is still active, and frees its credits (charging <paramref name="capturedAmount"/>).</summary>
    /// <returns>Whether this call made the change.</returns>
    public static async Task<bool> SettleAsync(DbContext db, Guid id, string userId, long heldAmount, ReservationStatus to, DateTime now,
        CancellationToken cancellationToken, long? capturedAmount = null, bool onlyIfExpired = false)
    {
        var query = db.Set<CreditReservation>().Where(r => r.Id == id && r.Status == ReservationStatus.Active);
        if (onlyIfExpired)
        {
            query = query.Where(r => r.ExpiresAt <= now);
        }

        var changed = await query.ExecuteUpdateAsync(s => s
                .SetProperty(r => r.Status, to)
                .SetProperty(r => r.SettledAt, now)
                .SetProperty(r => r.CapturedAmount, capturedAmount), cancellationToken)
            .ConfigureAwait(false) == 1;
        if (changed && heldAmount > 0)
        {
            var charged = capturedAmount ?? 0;
            await db.Set<CreditAccount>().Where(a => a.UserId == userId)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(a => a.Reserved, a => a.Reserved - heldAmount)
                    .SetProperty(a => a.Balance, a => a.Balance - charged)
                    .SetProperty(a => a.TotalConsumed, a => a.TotalConsumed + charged)
                    .SetProperty(a => a.UpdatedAt, now), cancellationToken)
                .ConfigureAwait(false);
        }

        return changed;
    }

    /// <summary>Expires the user's lapsed holds (so they stop counting before the sweeper gets to them).</summary>
    /// <returns>How many were expired.</returns>
    public static async Task<int> ExpireLapsedAsync(DbContext db, string userId, DateTime now, CancellationToken cancellationToken)
    {
        var lapsed = await db.Set<CreditReservation>().AsNoTracking()
            .Where(r => r.UserId == userId && r.Status == ReservationStatus.Active && r.ExpiresAt <= now)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var expired = 0;
        foreach (var hold in lapsed)
        {
            if (await SettleAsync(db, hold.Id, hold.UserId, hold.Amount, ReservationStatus.Expired, now, cancellationToken, onlyIfExpired: true).ConfigureAwait(false))
            {
                expired++;
            }
        }

        return expired;
    }
}
