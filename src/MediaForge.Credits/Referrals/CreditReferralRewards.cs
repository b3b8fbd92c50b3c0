using MediaForge.Credits.Purchases;

namespace MediaForge.Credits.Referrals;

/// <summary>
/// The referrer's side of a referral: the reward when the referee qualifies (inside the transaction of the qualifying
/// purchase, which holds the referee's balance row) and its clawback when that purchase is refunded or a dispute of it
/// is lost (inside the reversal's transaction, which holds the same row). Balance rows are locked referee first, then
/// referrer, everywhere; the referral's status changes only by conditional updates from <c>Attached</c> or
/// <c>Rewarded</c>, so each happens once.
/// </summary>
internal sealed partial class CreditReferralRewards(
    CreditsDbContextHandle handle,
    CreditService credits,
    CreditClawbacks clawbacks,
    IOptions<CreditsOptions> options,
    TimeProvider time,
    ILogger<CreditReferralRewards> logger)
{
    private readonly DbContext db = handle.Context;

    private CreditReferralOptions Options => options.Value.Referrals;

    /// <summary>A completed purchase (this transaction granted it): qualifies the buyer's referral when it is the qualifying event.</summary>
    public async Task QualifyPurchaseAsync(CreditPurchase purchase, string reference, CancellationToken cancellationToken)
    {
        if (!Options.Enabled || Options.QualifyingEvent != CreditReferralQualifyingEvent.FirstPaidPurchase
            || purchase.AmountCents <= 0 || purchase.AmountCents < Options.MinimumQualifyingPurchaseCents)
        {
            return;
        }

        await QualifyAsync(purchase.UserId, purchase.Id, reference, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Rewards the referrer of <paramref name="refereeId"/> (whose balance row the transaction holds) if the referral is
    /// still <c>Attached</c>: at most the monthly cap per referrer (counted after locking the referrer's row, so racing
    /// qualifications are serialized), never to a referrer with the referee's normalized e-mail.
    /// </summary>
    /// <returns>The status afterwards, or <see langword="null"/> when the user was not referred.</returns>
    public async Task<CreditReferralStatus?> QualifyAsync(string refereeId, Guid? purchaseId, string? reference, CancellationToken cancellationToken)
    {
        var referral = await db.Set<CreditReferral>().AsNoTracking().FirstOrDefaultAsync(r => r.RefereeId == refereeId, cancellationToken).ConfigureAwait(false);
        if (referral is null || referral.Status != CreditReferralStatus.Attached)
        {
            return referral?.Status;
        }

        var now = time.GetUtcNow().UtcDateTime;
        await LockAccountAsync(db, referral.ReferrerId, now, cancellationToken).ConfigureAwait(false);
        var month = CreditReferralCodes.MonthOf(now);
        var status = await SameEmailAsync(refereeId, referral.ReferrerId, cancellationToken).ConfigureAwait(false) ? CreditReferralStatus.Disqualified
            : Options.MonthlyRewardCap is { } cap && await db.Set<CreditReferral>().CountAsync(
                r => r.ReferrerId == referral.ReferrerId && r.RewardedAt >= month && r.RewardedAt < month.AddMonths(1), cancellationToken).ConfigureAwait(false) >= cap
                ? CreditReferralStatus.CapReached
                : CreditReferralStatus.Rewarded;
        Guid? rewardTransaction = null;
        var reward = status == CreditReferralStatus.Rewarded ? Options.ReferrerReward : 0;
        if (reward > 0)
        {
            var lifetime = options.Value.BonusCreditLifetime;
            var grant = await credits.GrantAsync(referral.ReferrerId, reward, CreditTransactionType.Bonus, "Referral reward",
                CreditArguments.Metadata(new { referralId = referral.Id }), CreditReferralCodes.RewardKey(refereeId), reference, cancellationToken,
                lifetime is { } live ? time.GetUtcNow() + live : null).ConfigureAwait(false);
            rewardTransaction = grant.TransactionId;
        }

        var changed = await db.Set<CreditReferral>().Where(r => r.Id == referral.Id && r.Status == CreditReferralStatus.Attached)
            .ExecuteUpdateAsync(u => u
                .SetProperty(r => r.Status, status)
                .SetProperty(r => r.QualifiedAt, now)
                .SetProperty(r => r.QualifyingPurchaseId, purchaseId)
                .SetProperty(r => r.QualifyingReference, reference)
                .SetProperty(r => r.Reward, reward)
                .SetProperty(r => r.RewardTransactionId, rewardTransaction)
                .SetProperty(r => r.RewardedAt, status == CreditReferralStatus.Rewarded ? now : null), cancellationToken).ConfigureAwait(false);
        if (changed == 0)
        {
            // Not reachable while the referee's row is held; if it were, the reward's key would make the grant a replay.
            // Stryker disable once String : the message of an unreachable guard (the referee's row is held by this transaction)
            throw new InvalidOperationException($"The referral of '{refereeId}' changed while it qualified; the operation is rolled back.");
        }

        LogQualified(referral.ReferrerId, refereeId, status, reward);
        return status;
    }

    /// <summary>
    /// The purchase (whose buyer's row the transaction holds) was refunded or a dispute of it lost: takes the reward it
    /// earned back from the referrer under <see cref="CreditsOptions.ClawbackPolicy"/>, once, for good.
    /// </summary>
    public async Task ClawBackAsync(CreditPurchase purchase, string cause, DateTime now, CancellationToken cancellationToken)
    {
        var referral = await db.Set<CreditReferral>().AsNoTracking()
            .FirstOrDefaultAsync(r => r.QualifyingPurchaseId == purchase.Id && r.Status == CreditReferralStatus.Rewarded, cancellationToken).ConfigureAwait(false);
        if (referral is null)
        {
            return;
        }

        await LockAccountAsync(db, referral.ReferrerId, now, cancellationToken).ConfigureAwait(false);
        var changed = await db.Set<CreditReferral>().Where(r => r.Id == referral.Id && r.Status == CreditReferralStatus.Rewarded)
            .ExecuteUpdateAsync(u => u.SetProperty(r => r.Status, CreditReferralStatus.ClawedBack).SetProperty(r => r.ClawedBackAt, now), cancellationToken)
            .ConfigureAwait(false);
        if (changed == 0 || referral.Reward <= 0)
        {
            return;
        }

        var removed = await clawbacks.RemoveAsync(referral.ReferrerId, referral.RewardTransactionId, referral.Reward,
            cause == "refund" ? "Referral reward removed: the referred purchase was refunded" : "Referral reward removed: the referred purchase was disputed",
            CreditArguments.Metadata(new { referralId = referral.Id, purchaseId = purchase.Id, cause }), purchase.ProviderPaymentId, now, cancellationToken)
            .ConfigureAwait(false);
        await db.Set<CreditReferral>().Where(r => r.Id == referral.Id)
            .ExecuteUpdateAsync(u => u.SetProperty(r => r.CreditsClawedBack, removed), cancellationToken).ConfigureAwait(false);
        LogClawedBack(referral.ReferrerId, referral.RefereeId, cause, removed);
    }

    /// <summary>The hash of the user's normalized e-mail (<see cref="CreditReferralOptions.EmailNormalization"/>), or <see langword="null"/>.</summary>
    public async Task<string?> EmailHashAsync(string userId, CancellationToken cancellationToken)
    {
        var email = await db.Set<CreditUser>().AsNoTracking().Where(u => u.Id == userId).Select(u => u.Email).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        return CreditEmailFingerprint.Compute(email, Options.EmailNormalization);
    }

    /// <summary>Whether both users have a known e-mail and it is the same once normalized.</summary>
    public async Task<bool> SameEmailAsync(string refereeId, string referrerId, CancellationToken cancellationToken) =>
        await EmailHashAsync(refereeId, cancellationToken).ConfigureAwait(false) is { } referee
        && referee == await EmailHashAsync(referrerId, cancellationToken).ConfigureAwait(false);

    /// <summary>Locks the user's balance row for the rest of the transaction (a no-op update), so the checks that follow are serialized per user.</summary>
    public static Task LockAccountAsync(DbContext db, string userId, DateTime now, CancellationToken cancellationToken) =>
        db.Set<CreditAccount>().Where(a => a.UserId == userId).ExecuteUpdateAsync(u => u.SetProperty(a => a.UpdatedAt, now), cancellationToken);

    [LoggerMessage(EventId = 1260, Level = LogLevel.Information, Message = "Referral of {RefereeId} by {ReferrerId} qualified: {Status}, {Reward} credits")]
    private partial void LogQualified(string referrerId, string refereeId, CreditReferralStatus status, long reward);

    [LoggerMessage(EventId = 1261, Level = LogLevel.Information, Message = "Referral reward of {ReferrerId} for {RefereeId} taken back ({Cause}): {Removed} credits removed")]
    private partial void LogClawedBack(string referrerId, string refereeId, string cause, long removed);
}
