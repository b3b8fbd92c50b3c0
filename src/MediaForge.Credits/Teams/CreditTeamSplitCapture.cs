using MediaForge.Credits.Events;
using MediaForge.Credits.Expiry;
using MediaForge.Credits.Holds;

namespace MediaForge.Credits.Teams;

/// <summary>
/// The capture of a split team hold, under the member's row lock and both balance rows (<see cref="CreditTeamHolds.LockAsync"/>):
/// the charge divided in the funding policy's order of spending (<see cref="CreditTeamHoldParts.PersonalShare"/>), each
/// wallet's hold captured for its share, the unused part of the wallet's share given back to the member's count, one
/// usage log on the wallet naming the member with a ledger row per wallet, and each wallet's low-balance alert and auto
/// top-up. A late capture of an expired split hold charges both shares from the credits spendable now, or nothing.
/// </summary>
internal sealed class CreditTeamSplitCapture(CreditsDbContextHandle handle, CreditTeamHolds teamHolds, Categories.CreditBurnOrder burnOrder,
    IOptions<CreditsOptions> options, TopUps.CreditTopUpTriggers topUps)
{
    private readonly DbContext db = handle.Context;

    /// <summary>Captures <paramref name="charge"/> of the active, unlapsed <paramref name="hold"/> and its <paramref name="part"/>.</summary>
    /// <returns>The settlement, or <see langword="null"/> when the hold was no longer active (the caller answers from the stored row).</returns>
    public async Task<CreditReservationSettlement?> CaptureAsync(CreditReservationRow hold, CreditReservationRow part, long charge, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        var (at, allowDebt) = (now.UtcDateTime, options.Value.ClawbackPolicy == CreditClawbackPolicy.AllowNegativeBalance);
        var personalShare = CreditTeamHoldParts.PersonalShare(options.Value.Teams.FundingPolicy, charge, hold.Amount, part.Amount);
        if (await CreditHolds.CaptureAsync(db, hold.Id, hold.UserId, hold.Amount, charge - personalShare, allowDebt, at, cancellationToken)
                .ConfigureAwait(false) is not { } team)
        {
            return null;
        }

        // Placed and ended with the hold, so active while it is; were it not, nothing of the member's would be charged.
        // Stryker disable once Boolean : equivalent: HasLots of the fallback is never read (only Charged and Balance are); the part is active while the hold is, so the fallback is unreachable anyway
        var personal = await CreditHolds.CaptureAsync(db, part.Id, part.UserId, part.Amount, personalShare, allowDebt, at, cancellationToken)
            .ConfigureAwait(false) ?? (0, 0, true);
        await teamHolds.GiveBackAsync(hold, hold.Amount - team.Charged, cancellationToken).ConfigureAwait(false);
        return await ChargedAsync(hold, part, (team.Charged, team.Balance), (personal.Charged, personal.Balance), now, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Charges <paramref name="charge"/> of a split hold that lapsed before it was captured: both rows end as expired
    /// (their credits freed), then each wallet's share is taken from what it can spend now, all or nothing, and the pool's
    /// share must fit the member's limit again unless the hold still counts it.
    /// </summary>
    /// <returns>The settlement, or <see langword="null"/> when a wallet cannot pay its share or the hold ended another way (nothing charged, the count given back).</returns>
    public async Task<CreditReservationSettlement?> CaptureLateAsync(CreditReservationRow hold, CreditReservationRow part, long charge, DateTimeOffset now,
        Func<Task<CreditReservationRow>> reread, CancellationToken cancellationToken)
    {
        var at = now.UtcDateTime;
        var threshold = options.Value.Events.LowBalanceThreshold;
        // Stryker disable once Boolean : equivalent: onlyIfExpired; a late capture runs only for a hold expired or past its ExpiresAt at this now (CreditReservationService), and a hold's expiry never moves
        await CreditHolds.SettleAsync(db, hold.Id, hold.UserId, hold.Amount, ReservationStatus.Expired, at, cancellationToken, onlyIfExpired: true).ConfigureAwait(false);
        await CreditTeamHoldParts.EndAsync(db, part, ReservationStatus.Expired, at, cancellationToken).ConfigureAwait(false);
        await CreditLots.ExpireLapsedAsync(db, hold.UserId, at, threshold, cancellationToken).ConfigureAwait(false);
        await CreditLots.ExpireLapsedAsync(db, part.UserId, at, threshold, cancellationToken).ConfigureAwait(false);
        hold = await reread().ConfigureAwait(false);
        var personalShare = CreditTeamHoldParts.PersonalShare(options.Value.Teams.FundingPolicy, charge, hold.Amount, part.Amount);
        var poolShare = charge - personalShare;
        // Both balance rows are locked: what each wallet can spend now stays so until the debits below.
        if (hold.Status != ReservationStatus.Expired || await SpendableAsync(hold.UserId, cancellationToken).ConfigureAwait(false) < poolShare
            || await SpendableAsync(part.UserId, cancellationToken).ConfigureAwait(false) < personalShare
            || !await teamHolds.FitsLateCaptureAsync(hold, poolShare, cancellationToken).ConfigureAwait(false))
        {
            await teamHolds.GiveBackAsync(hold, hold.Amount, cancellationToken).ConfigureAwait(false);
            return null;
        }

        var teamBalance = await CreditHolds.CaptureExpiredAsync(db, hold.Id, hold.UserId, poolShare, at, cancellationToken).ConfigureAwait(false);
        var personalBalance = await CreditHolds.CaptureExpiredAsync(db, part.Id, part.UserId, personalShare, at, cancellationToken).ConfigureAwait(false);
        // Stryker disable once Logical,Block : unreachable under both balance rows' locks (spendable checked above); were one null, .Value below would throw InvalidOperationException as well
        if (teamBalance is null || personalBalance is null)
        {
            // Stryker disable once Statement,String : unreachable: both balance rows are locked since each wallet's spendable credits were checked above
            throw new InvalidOperationException($"Hold {hold.Id}: a wallet's spendable credits changed under its balance row lock.");
        }

        await teamHolds.CountLateCaptureAsync(hold, poolShare, cancellationToken).ConfigureAwait(false);
        return await ChargedAsync(hold, part, (poolShare, teamBalance.Value), (personalShare, personalBalance.Value), now, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>After both wallets were charged: the hold's total, the rows, each wallet's alert and auto top-up.</summary>
    private async Task<CreditReservationSettlement> ChargedAsync(CreditReservationRow hold, CreditReservationRow part, (long Charged, long Balance) team,
        (long Charged, long Balance) personal, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var total = team.Charged + personal.Charged;
        await db.Set<CreditReservation>().Where(r => r.Id == hold.Id)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.CapturedAmount, total), cancellationToken).ConfigureAwait(false);
        var transactionId = await new CreditCaptureCharge(db, burnOrder).RecordAsync(hold, team.Charged, team.Balance, now, cancellationToken,
            new CreditHeldPart(part.UserId, part.Amount, personal.Charged, personal.Balance)).ConfigureAwait(false);
        var threshold = options.Value.Events.LowBalanceThreshold;
        await CreditBalanceAlerts.AfterDebitAsync(db, threshold, hold.UserId, team.Balance, team.Charged, now, cancellationToken).ConfigureAwait(false);
        await CreditBalanceAlerts.AfterDebitAsync(db, threshold, part.UserId, personal.Balance, personal.Charged, now, cancellationToken).ConfigureAwait(false);
        await topUps.AfterDebitAsync(db, hold.UserId, team.Balance, team.Charged, now, cancellationToken).ConfigureAwait(false);
        await topUps.AfterDebitAsync(db, part.UserId, personal.Balance, personal.Charged, now, cancellationToken).ConfigureAwait(false);
        return new CreditReservationSettlement
        {
            Success = true, Status = ReservationStatus.Captured, CreditsCharged = total, TransactionId = transactionId, Balance = team.Balance,
        };
    }

    private Task<long> SpendableAsync(string account, CancellationToken cancellationToken) =>
        db.Set<CreditAccount>().AsNoTracking().Where(a => a.UserId == account).Select(a => a.Balance - a.Reserved).FirstOrDefaultAsync(cancellationToken);
}
