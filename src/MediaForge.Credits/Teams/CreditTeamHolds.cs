using MediaForge.Credits.Holds;

namespace MediaForge.Credits.Teams;

/// <summary>
/// Holds on a team's wallet, placed by a member: the member's row locked first (active member, active team), product
/// admins unlimited, the limit's headroom checked, the wallet's credits held, and the amount counted against the
/// member's limit when placed (<c>limit_counted</c>). Whatever ends the hold gives the count back exactly once, by
/// turning <c>limit_counted</c> off under the member's row lock: a release all of it, a capture what it did not charge,
/// an expiry all of it (the sweeper, also for holds a debit expired in passing); in the period the hold was placed, if
/// that is still the one counted. A late capture of an expired hold counts its charge again, within the limit.
/// </summary>
internal sealed class CreditTeamHolds(CreditsDbContextHandle handle, CreditTeamSpending spending, CreditAccountReader accounts, TimeProvider time)
{
    private readonly DbContext db = handle.Context;

    /// <summary>
    /// Inside the reservation's transaction: holds <paramref name="amount"/> for <paramref name="member"/>, split by the
    /// funding policy between the wallet and the member's own credits (both balance rows locked in id order when both may
    /// pay), the wallet's part within the limit and counted against it.
    /// </summary>
    /// <returns>
    /// Why not (then nothing is held), whether the member is unlimited (then nothing is held either, and nothing counted),
    /// and the member's own part (the wallet's is the rest).
    /// </returns>
    public async Task<(CreditDeductionError Error, bool Unlimited, long PersonalPart)> HoldAsync(string teamId, string member, long amount,
        CancellationToken cancellationToken)
    {
        var refusal = await spending.LockMemberAsync(teamId, member, cancellationToken).ConfigureAwait(false);
        if (refusal != CreditDeductionError.None)
        {
            return Refused(refusal);
        }

        if (await spending.IsProductAdminAsync(member, cancellationToken).ConfigureAwait(false))
        {
            return (CreditDeductionError.None, true, 0);
        }

        var now = time.GetUtcNow().UtcDateTime;
        var split = await spending.SplitAsync(teamId, member, amount, now, cancellationToken).ConfigureAwait(false);
        if (split.OverLimit)
        {
            return Refused(CreditDeductionError.MemberLimitReached);
        }

        var wallet = CreditWalletAccounts.TeamAccount(teamId);
        if (!await TryHoldAsync(wallet, split.TeamPart, now, cancellationToken).ConfigureAwait(false))
        {
            return Refused(CreditDeductionError.InsufficientCredits);
        }

        if (!await TryHoldAsync(member, split.PersonalPart, now, cancellationToken).ConfigureAwait(false))
        {
            // The wallet's part is given back in this transaction: a refused split hold holds nothing.
            await CreditHolds.FreeAsync(db, wallet, split.TeamPart, now, cancellationToken).ConfigureAwait(false);
            return Refused(CreditDeductionError.InsufficientCredits);
        }

        if (split.TeamPart > 0 && !await spending.TryCountAsync(teamId, member, split.TeamPart, split.Period, cancellationToken).ConfigureAwait(false))
        {
            // The headroom was read under the member's row lock: this cannot happen; roll back rather than overshoot.
            throw new InvalidOperationException($"The limit of member '{member}' of team '{teamId}' changed under its row lock.");
        }

        return (CreditDeductionError.None, false, split.PersonalPart);
    }

    // Stryker disable once Boolean : equivalent: the only caller (CreditReservationService.ReserveCreditsAsync) returns a refusal before it reads Unlimited
    private static (CreditDeductionError Error, bool Unlimited, long PersonalPart) Refused(CreditDeductionError error) => (error, false, 0);

    /// <summary>
    /// Before settling a member's hold on a team's wallet: locks the member's row (the member's row before the balance
    /// row, as in spending), and for a split hold both balance rows in ordinal id order.
    /// </summary>
    public async Task LockAsync(CreditReservationRow hold, CancellationToken cancellationToken, CreditReservationRow? part = null)
    {
        if (hold.MemberId is { } member && CreditWalletAccounts.TeamOf(hold.UserId) is { } teamId)
        {
            await spending.LockAnyMemberAsync(teamId, member, cancellationToken).ConfigureAwait(false);
        }

        if (part is not null)
        {
            await CreditHolds.LockBalanceRowsAsync(db, part.UserId, hold.UserId, time.GetUtcNow().UtcDateTime, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Holds <paramref name="amount"/> of the account's spendable credits (after writing its lapses if refused); nothing to hold is held.</summary>
    private async Task<bool> TryHoldAsync(string account, long amount, DateTime now, CancellationToken cancellationToken) =>
        amount == 0 || (await accounts.TryDebitAfterLapsesAsync(account, amount, now, ct => CreditHolds.TryHoldAsync(db, account, amount, now, ct), cancellationToken)
            .ConfigureAwait(false)).Debited;

    /// <summary>
    /// After the hold ended (under the member's row lock): if its amount still counts against the member's limit, stops
    /// counting it and gives <paramref name="unused"/> back, once: only the call that turns <c>limit_counted</c> off does.
    /// </summary>
    /// <returns>Whether this call turned the count off.</returns>
    public async Task<bool> GiveBackAsync(CreditReservationRow hold, long unused, CancellationToken cancellationToken)
    {
        if (hold.MemberId is not { } member || CreditWalletAccounts.TeamOf(hold.UserId) is not { } teamId
            || await db.Set<CreditReservation>().Where(r => r.Id == hold.Id && r.LimitCounted && r.Status != ReservationStatus.Active)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.LimitCounted, false), cancellationToken).ConfigureAwait(false) == 0)
        {
            return false;
        }

        // Stryker disable once Equality : equivalent: giving back 0 leaves the count as it is (PeriodSpent > 0 ? PeriodSpent - 0 : 0); only a write saved
        if (unused > 0)
        {
            await spending.GiveBackAsync(teamId, member, unused, spending.PeriodOf(hold.CreatedAt), cancellationToken).ConfigureAwait(false);
        }

        return true;
    }

    /// <summary>Whether a late capture of <paramref name="charge"/> fits the member's limit (always, for a hold still counted or not a team's).</summary>
    public async Task<bool> FitsLateCaptureAsync(CreditReservationRow hold, long charge, CancellationToken cancellationToken) =>
        hold.LimitCounted || hold.IsUnlimited || hold.MemberId is not { } member || CreditWalletAccounts.TeamOf(hold.UserId) is not { } teamId
        || charge <= (await spending.HeadroomAsync(teamId, member, spending.CurrentPeriod(), cancellationToken).ConfigureAwait(false) ?? long.MaxValue);

    /// <summary>
    /// After a late capture charged <paramref name="charge"/>: a hold still counted keeps the charge counted and gives the
    /// rest back (all of it for a capture of nothing, as an on-time capture of nothing does); one whose count was given
    /// back counts the charge again (checked by <see cref="FitsLateCaptureAsync"/>).
    /// </summary>
    public async Task CountLateCaptureAsync(CreditReservationRow hold, long charge, CancellationToken cancellationToken)
    {
        if (hold.IsUnlimited || hold.MemberId is not { } member || CreditWalletAccounts.TeamOf(hold.UserId) is not { } teamId
            || await GiveBackAsync(hold, hold.Amount - charge, cancellationToken).ConfigureAwait(false) || charge == 0)
        {
            return;
        }

        if (!await spending.TryCountAsync(teamId, member, charge, spending.CurrentPeriod(), cancellationToken).ConfigureAwait(false))
        {
            // Stryker disable once String : unreachable: FitsLateCaptureAsync checked the headroom under the member's row lock, held until this count
            throw new InvalidOperationException($"The limit of member '{member}' of team '{teamId}' changed under its row lock.");
        }
    }

    /// <summary>
    /// The sweeper's second pass: gives back the counts of expired team holds still counted (expired in passing by a
    /// debit, which does not lock member rows), each in its own transaction, the member's row first.
    /// </summary>
    public async Task GiveBackLapsedAsync(CancellationToken cancellationToken)
    {
        var lapsed = await db.Set<CreditReservation>().AsNoTracking()
            .Where(r => r.Status == ReservationStatus.Expired && r.LimitCounted)
            .OrderBy(r => r.ExpiresAt).Take(500)
            .Select(CreditReservationRow.Of)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        foreach (var hold in lapsed)
        {
            await CreditTransactions.RunAsync(db, async ct =>
            {
                await LockAsync(hold, ct).ConfigureAwait(false);
                return await GiveBackAsync(hold, hold.Amount, ct).ConfigureAwait(false);
            }, cancellationToken).ConfigureAwait(false);
        }
    }
}
