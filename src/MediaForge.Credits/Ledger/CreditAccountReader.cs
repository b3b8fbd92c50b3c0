using MediaForge.Credits.Expiry;
using MediaForge.Credits.Holds;
using MediaForge.Credits.Telemetry;

namespace MediaForge.Credits.Ledger;

/// <summary>
/// A user's account as the operations see it: balance, spendable credits, the admin flag and what has lapsed
/// unrecorded; and the writing of those lapses when a debit was refused.
/// </summary>
internal sealed class CreditAccountReader(CreditsDbContextHandle handle, CreditLedger ledger, TimeProvider time, CreditsTelemetry telemetry)
{
    private readonly DbContext db = handle.Context;

    /// <summary>Creates the user and balance rows when missing (a user who calls the API before any webhook).</summary>
    public Task EnsureAsync(string userId, CancellationToken cancellationToken) =>
        ledger.EnsureAccountAsync(userId, time.GetUtcNow().UtcDateTime, cancellationToken);

    /// <summary>
    /// Reads balance, spendable credits and the admin flag: one built-once statement with a LEFT JOIN on both primary
    /// keys (two index lookups; <see cref="CreditLedger.ReadAccountAsync"/>). Only users with holds or expiring credits
    /// cost more: holds past their expiry are not counted as held, and credits past their expiry are not counted at
    /// all, even before the sweeper writes them.
    /// </summary>
    public async Task<CreditAccountState> ReadAsync(string userId, CancellationToken cancellationToken)
    {
        var row = await ledger.ReadAccountAsync(userId, cancellationToken).ConfigureAwait(false);
        if (row is not { Balance: { } balance } account)
        {
            return new CreditAccountState(0, 0, row?.IsAdmin ?? false, 0, false, null);
        }

        var now = time.GetUtcNow().UtcDateTime;
        var reserved = account.Reserved;
        long lapsedHolds = 0;
        if (reserved > 0)
        {
            lapsedHolds = await db.Set<CreditReservation>().AsNoTracking()
                .Where(r => r.UserId == userId && r.Status == ReservationStatus.Active && r.ExpiresAt <= now)
                .SumAsync(r => r.Amount, cancellationToken).ConfigureAwait(false);
        }

        var headroom = balance - (reserved - lapsedHolds);
        long expirable = 0;
        CreditExpiration? next = null;
        if (account.NextExpiryAt is not null)
        {
            var lots = await db.Set<CreditGrant>().AsNoTracking()
                .Where(g => g.UserId == userId && g.Remaining > 0)
                .OrderBy(g => g.ExpiresAt)
                .Select(g => new { g.Remaining, g.ExpiresAt })
                .ToListAsync(cancellationToken).ConfigureAwait(false);
            expirable = Math.Min(lots.Where(l => l.ExpiresAt <= now).Sum(l => l.Remaining), Math.Max(0, headroom));
            next = lots.Where(l => l.ExpiresAt > now).GroupBy(l => l.ExpiresAt)
                .Select(g => new CreditExpiration(g.Sum(l => l.Remaining), CreditAttempts.Utc(g.Key))).FirstOrDefault();
        }

        return new CreditAccountState(balance - expirable, headroom - expirable, account.IsAdmin, lapsedHolds, account.NextExpiryAt <= now, next);
    }

    /// <summary>
    /// Writes what has lapsed for a user whose debit of <paramref name="amount"/> was refused: holds past their expiry
    /// (still counted in <c>credits.reserved</c>) and lots past their expiry (still counted in the balance).
    /// </summary>
    /// <returns>
    /// Whether the debit is worth trying again: always on a relational store, once. On PostgreSQL a refused conditional
    /// <c>UPDATE</c> takes no lock, so a racing transaction (the sweeper writing a lapse, a hold ending) can free
    /// credits between the refusal and the reads, or between two of the reads; the second debit sees the committed row.
    /// </returns>
    public async Task<bool> WriteLapsesAsync(string userId, CreditAccountState account, long amount, DateTime now, CancellationToken cancellationToken)
    {
        if (!db.Database.IsRelational())
        {
            return account.Available >= amount;
        }

        if (account.LapsedHolds == 0 && !account.HasLapsedLots)
        {
            // Nothing lapsed in what was read; but those reads are separate statements, and a racing transaction (the
            // sweeper ending a hold) may commit between them, so they can disagree. One more conditional debit decides.
            return true;
        }

        if (account.LapsedHolds > 0)
        {
            await CreditHolds.ExpireLapsedAsync(db, userId, now, cancellationToken).ConfigureAwait(false);
        }

        if (account.HasLapsedLots)
        {
            telemetry.Expired(await CreditLots.ExpireLapsedAsync(db, userId, now, cancellationToken).ConfigureAwait(false));
        }

        return true;
    }
}

/// <summary>A user's account as read by <see cref="CreditAccountReader.ReadAsync"/>.</summary>
internal readonly record struct CreditAccountState(long Balance, long Available, bool IsAdmin, long LapsedHolds, bool HasLapsedLots, CreditExpiration? NextExpiration);
