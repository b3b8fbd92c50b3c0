using MediaForge.Credits.Events;
using MediaForge.Credits.Holds;

namespace MediaForge.Credits.Teams;

/// <summary>
/// The capture of a split team hold, under the member's row lock and both balance rows (<see cref="CreditTeamHolds.LockAsync"/>):
/// the charge divided in the funding policy's order of spending (<see cref="CreditTeamHoldParts.PersonalShare"/>), each
/// wallet's hold captured for its share, the unused part of the wallet's share given back to the member's count, one
/// usage log on the wallet naming the member with a ledger row per wallet, and each wallet's low-balance alert and auto top-up.
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
        var personal = await CreditHolds.CaptureAsync(db, part.Id, part.UserId, part.Amount, personalShare, allowDebt, at, cancellationToken)
            .ConfigureAwait(false) ?? (0, 0);
        var total = team.Charged + personal.Charged;
        await db.Set<CreditReservation>().Where(r => r.Id == hold.Id)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.CapturedAmount, total), cancellationToken).ConfigureAwait(false);
        await teamHolds.GiveBackAsync(hold, hold.Amount - team.Charged, cancellationToken).ConfigureAwait(false);
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
}
