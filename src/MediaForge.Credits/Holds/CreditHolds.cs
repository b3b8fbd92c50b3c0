namespace MediaForge.Credits.Holds;

/// <summary>
/// The held-credits column (<c>credits.reserved</c>) kept in step with <c>credit_reservations</c>. Every change of a hold
/// first wins a conditional status change of the reservation row (<c>WHERE status = 'Active'</c>), then moves the
/// credits row, in one transaction: so exactly one of capture, release and expiry applies, also when they race.
/// </summary>
/// <remarks>
/// A refund or dispute clawback reaches held credits (it takes from the balance, whatever is held), so the balance may
/// be lower than <c>credits.reserved</c> while holds are active. A hold that ends then settles against what is left: a
/// release or expiry frees only the hold (nothing that was clawed back comes back), and a capture charges at most the
/// balance that is left, unless the clawback policy lets the balance go negative (then it charges in full, as it would
/// have if the capture had come before the clawback).
/// </remarks>
internal static class CreditHolds
{
    /// <summary>Takes a hold if the user's spendable credits cover it, none has lapsed unrecorded, and the user is not flagged admin.</summary>
    public static Task<bool> TryHoldAsync(DbContext db, string userId, long amount, DateTime now, CancellationToken cancellationToken) =>
        Storage.CreditHoldStatements.For(db).TryHoldAsync(userId, amount, now, cancellationToken);

    /// <summary>Ends an active hold as released or expired if it is still active, and frees its credits.</summary>
    /// <returns>Whether this call made the change.</returns>
    public static async Task<bool> SettleAsync(DbContext db, Guid id, string userId, long heldAmount, ReservationStatus to, DateTime now,
        CancellationToken cancellationToken, bool onlyIfExpired = false, bool raiseExpired = true)
    {
        await LockBalanceRowAsync(db, userId, now, cancellationToken).ConfigureAwait(false);
        var query = db.Set<CreditReservation>().Where(r => r.Id == id && r.Status == ReservationStatus.Active);
        if (onlyIfExpired)
        {
            query = query.Where(r => r.ExpiresAt <= now);
        }

        var changed = await query.ExecuteUpdateAsync(s => s
                .SetProperty(r => r.Status, to)
                .SetProperty(r => r.SettledAt, now), cancellationToken)
            .ConfigureAwait(false) == 1;
        if (changed)
        {
            await FreeAsync(db, userId, heldAmount, now, cancellationToken).ConfigureAwait(false);
            if (to == ReservationStatus.Expired && raiseExpired)
            {
                var at = new DateTimeOffset(DateTime.SpecifyKind(now, DateTimeKind.Utc));
                await Events.CreditEventOutbox.RaiseAsync(db, new Events.HoldExpired
                {
                    EventId = Events.CreditEventOutbox.NewId(at), WalletId = userId, OccurredAt = at, ReservationId = id, Amount = heldAmount,
                }, cancellationToken).ConfigureAwait(false);
            }
        }

        return changed;
    }

    /// <summary>
    /// Captures an active hold if it is still active and not lapsed: frees the hold and charges <paramref name="charge"/>,
    /// or, when a clawback has taken the held credits meanwhile and <paramref name="allowDebt"/> is false, what is left
    /// of the balance.
    /// </summary>
    /// <returns>
    /// The credits charged, the balance after and whether the account has lots (a next expiry: the charge consumes
    /// them), or <see langword="null"/> if the hold was no longer active.
    /// </returns>
    public static async Task<(long Charged, long Balance, bool HasLots)?> CaptureAsync(DbContext db, Guid id, string userId, long heldAmount, long charge,
        bool allowDebt, DateTime now, CancellationToken cancellationToken)
    {
        var holds = Storage.CreditHoldStatements.For(db);
        await holds.LockAsync(userId, now, cancellationToken).ConfigureAwait(false);
        if (!await holds.TryCaptureAsync(id, charge, now, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        // The balance row, then the reservation row: the order of every operation on a hold. Freeing the hold returns the balance.
        var freed = await holds.FreeAsync(userId, heldAmount, now, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"The balance row of {userId}, who holds credits, is missing.");
        var balance = freed.Balance;
        var charged = allowDebt ? charge : Math.Min(charge, Math.Max(0, balance));
        if (charged != charge)
        {
            await db.Set<CreditReservation>().Where(r => r.Id == id)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.CapturedAmount, charged), cancellationToken).ConfigureAwait(false);
        }

        // Stryker disable once Equality : equivalent: saves a statement; charging 0 leaves the balance row as it is
        if (charged > 0)
        {
            await holds.ChargeAsync(userId, charged, cancellationToken).ConfigureAwait(false);
        }

        return (charged, balance - charged, freed.NextExpiryAt is not null);
    }

    /// <summary>
    /// Charges a hold that expired before it was captured from the credits spendable now, once: the hold goes from
    /// expired to captured only if the user's balance, less every other hold, covers <paramref name="charge"/>.
    /// </summary>
    /// <returns>The balance after, or <see langword="null"/> if the hold was not expired or the credits were not there.</returns>
    public static async Task<long?> CaptureExpiredAsync(DbContext db, Guid id, string userId, long charge, DateTime now, CancellationToken cancellationToken)
    {
        // The balance row first (a late capture is a new debit; racing late captures of the hold wait here), then the
        // reservation row, then the conditional debit, undone on the reservation row if the credits are not there.
        // Stryker disable once Statement : equivalent: both callers locked this row earlier in the transaction (the hold's expiry and the lapse writes)
        await LockBalanceRowAsync(db, userId, now, cancellationToken).ConfigureAwait(false);
        var hold = db.Set<CreditReservation>().Where(r => r.Id == id);
        if (await hold.Where(r => r.Status == ReservationStatus.Expired)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, ReservationStatus.Captured).SetProperty(r => r.CapturedAmount, charge),
                    cancellationToken).ConfigureAwait(false) == 0)
        {
            return null;
        }

        if (charge > 0 && await db.Set<CreditAccount>()
                .Where(a => a.UserId == userId && a.Balance - a.Reserved >= charge && (a.NextExpiryAt == null || a.NextExpiryAt > now))
                .ExecuteUpdateAsync(s => s
                    .SetProperty(a => a.Balance, a => a.Balance - charge)
                    .SetProperty(a => a.TotalConsumed, a => a.TotalConsumed + charge), cancellationToken).ConfigureAwait(false) == 0)
        {
            await hold.ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, ReservationStatus.Expired).SetProperty(r => r.CapturedAmount, (long?)null),
                cancellationToken).ConfigureAwait(false);
            return null;
        }

        return await db.Set<CreditAccount>().AsNoTracking().Where(a => a.UserId == userId)
            .Select(a => a.Balance).FirstAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Expires the user's lapsed holds (so they stop counting before the sweeper gets to them).</summary>
    public static async Task ExpireLapsedAsync(DbContext db, string userId, DateTime now, CancellationToken cancellationToken)
    {
        var lapsed = await db.Set<CreditReservation>().AsNoTracking()
            .Where(r => r.UserId == userId && r.Status == ReservationStatus.Active && r.ExpiresAt <= now)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        foreach (var hold in lapsed)
        {
            // The member's part of a split team hold raises no event of its own: the team hold's does.
            // Stryker disable once Boolean : equivalent: onlyIfExpired; these holds were read with ExpiresAt <= now at the same now, and a hold's expiry never moves
            await SettleAsync(db, hold.Id, hold.UserId, hold.Amount, ReservationStatus.Expired, now, cancellationToken, onlyIfExpired: true,
                raiseExpired: Teams.CreditTeamHoldParts.HoldOf(hold.IdempotencyKey) is null).ConfigureAwait(false);
        }
    }

    /// <summary>Frees <paramref name="heldAmount"/> held credits of the user (the caller won the hold's conditional status change).</summary>
    public static Task FreeAsync(DbContext db, string userId, long heldAmount, DateTime now, CancellationToken cancellationToken) =>
        Storage.CreditHoldStatements.For(db).FreeAsync(userId, heldAmount, now, cancellationToken);

    /// <summary>
    /// Locks the user's balance row (a no-op update) until the transaction ends. Settlements lock it before the
    /// reservation row: a reservation updates the balance row and then inserts its own (which waits on a racing change
    /// of a row with the same key), so every settlement takes the rows in that order too, and a capture racing a
    /// reservation with the same key never deadlocks. Transfers lock both users' rows with it, in user id order.
    /// </summary>
    /// <returns>1 when the row exists (and is now locked), 0 when the user has no balance row.</returns>
    public static Task<int> LockBalanceRowAsync(DbContext db, string userId, DateTime now, CancellationToken cancellationToken) =>
        Storage.CreditHoldStatements.For(db).LockAsync(userId, now, cancellationToken);

    /// <summary>
    /// Locks two users' balance rows in ordinal user-id order, the one order of every multi-user move (transfers, gift
    /// redemptions, reversals of a redeemed gift's purchase), so two of them never wait on each other.
    /// </summary>
    /// <returns>For each user, in the order given, 1 when the row exists (and is now locked), 0 when it does not.</returns>
    public static async Task<(int First, int Second)> LockBalanceRowsAsync(DbContext db, string first, string second, DateTime now,
        CancellationToken cancellationToken)
    {
        // Stryker disable once Equality : equivalent: any one fixed order keeps two moves from waiting on each other (every two-row lock is taken here), and equal ids lock one row
        var inOrder = string.CompareOrdinal(first, second) < 0;
        var a = await LockBalanceRowAsync(db, inOrder ? first : second, now, cancellationToken).ConfigureAwait(false);
        var b = await LockBalanceRowAsync(db, inOrder ? second : first, now, cancellationToken).ConfigureAwait(false);
        return inOrder ? (a, b) : (b, a);
    }
}
