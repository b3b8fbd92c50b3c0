using MediaForge.Credits.Teams;

namespace MediaForge.Credits.Holds;

/// <summary>The expiry sweep of <see cref="CreditReservationService"/>: holds past their expiry end as expired.</summary>
internal sealed partial class CreditReservationService
{
    public async Task<int> ExpireReservationsAsync(CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var lapsed = await db.Set<CreditReservation>().AsNoTracking()
            .Where(r => r.Status == ReservationStatus.Active && r.ExpiresAt <= now)
            .OrderBy(r => r.ExpiresAt).Take(500).Select(CreditReservationRow.Of)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var expired = 0;
        foreach (var hold in lapsed)
        {
            // A team hold: the member's row first, then the balance row; the expiry gives the member's count back.
            if (await CreditTransactions.RunAsync(db, async ct =>
                {
                    // The member's part of a split hold is expired with its team hold, as one.
                    var team = CreditTeamHoldParts.HoldOf(hold.IdempotencyKey) is { } of ? await FindAsync(of, ct).ConfigureAwait(false) ?? hold : hold;
                    var part = team == hold ? await CreditTeamHoldParts.FindAsync(db, hold.Id, hold.MemberId, ct).ConfigureAwait(false) : hold;
                    return await ExpireAsync(team, part, now, ct).ConfigureAwait(false);
                }, cancellationToken).ConfigureAwait(false))
            {
                expired++;
            }
        }

        // Holds a debit expired in passing (without the member's row) give their counts back here.
        await teamHolds.GiveBackLapsedAsync(cancellationToken).ConfigureAwait(false);
        return expired;
    }

    /// <summary>
    /// Ends a lapsed hold and its member's part (if split) as expired if still active, and gives a team hold's count back
    /// if it has not gone back yet; takes the member's and balance rows first (again, for a capture that holds them).
    /// </summary>
    /// <returns>Whether this call ended either.</returns>
    private async Task<bool> ExpireAsync(CreditReservationRow hold, CreditReservationRow? part, DateTime now, CancellationToken ct)
    {
        await teamHolds.LockAsync(hold, ct, part).ConfigureAwait(false);

        // Stryker disable once Boolean : equivalent: onlyIfExpired; every caller passes a hold read as past its expiry, or one already ended (which no settlement changes)
        var ended = await CreditHolds.SettleAsync(db, hold.Id, hold.UserId, hold.Amount, ReservationStatus.Expired, now, ct, onlyIfExpired: true).ConfigureAwait(false);
        ended |= await CreditTeamHoldParts.EndAsync(db, part, ReservationStatus.Expired, now, ct).ConfigureAwait(false);
        await teamHolds.GiveBackAsync(hold, hold.Amount, ct).ConfigureAwait(false);
        return ended;
    }
}
