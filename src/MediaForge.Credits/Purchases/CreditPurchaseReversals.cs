using MediaForge.Credits.Events;
using MediaForge.Credits.Expiry;
using MediaForge.Credits.Gifts;
using MediaForge.Credits.Holds;
using MediaForge.Credits.Referrals;

namespace MediaForge.Credits.Purchases;

/// <summary>
/// Refunds and disputes of completed purchases: the credits they take back (or, with the freeze policy, hold while a
/// dispute is open) and give back when a dispute is won, serialized per buyer on the buyer's balance row.
/// </summary>
internal sealed partial class CreditPurchaseReversals(
    CreditsDbContextHandle handle,
    CreditService credits,
    CreditClawbacks clawbacks,
    CreditReferralRewards referrals,
    CreditGiftReversals gifts,
    IOptions<CreditsOptions> options,
    TimeProvider time,
    ILogger<CreditPurchaseService> logger)
{
    private readonly DbContext db = handle.Context;

    public Task<PurchaseReversalResult> RecordRefundAsync(string providerPaymentId, long amountRefundedCents, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(amountRefundedCents);
        return ReverseAsync(providerPaymentId, "refund", purchase =>
        {
            // Stripe's figure is cumulative: an older delivery arriving late never lowers it.
            purchase.RefundedAmountCents = Math.Max(purchase.RefundedAmountCents, Math.Min(amountRefundedCents, purchase.AmountCents));
        }, cancellationToken);
    }

    public Task<PurchaseReversalResult> RecordDisputeAsync(string providerPaymentId, string disputeId, long disputedAmountCents,
        PaymentDisputeState state, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(disputeId);
        ArgumentOutOfRangeException.ThrowIfNegative(disputedAmountCents);
        return ReverseAsync(providerPaymentId, "dispute", purchase =>
        {
            var decided = purchase.DisputeId == disputeId && purchase.DisputeState is PaymentDisputeState.Won or PaymentDisputeState.Lost;
            if (decided && state == PaymentDisputeState.Open)
            {
                return; // a late "opened" delivery after the decision
            }

            // The same dispute delivered again in the same state (a duplicate, or an older event arriving late) never
            // lowers the amount: it removes nothing twice and restores nothing. A new state carries its own amount.
            var again = purchase.DisputeId == disputeId && purchase.DisputeState == state;
            var amount = Math.Min(disputedAmountCents, purchase.AmountCents);
            purchase.DisputeId = disputeId;
            purchase.DisputeState = state;
            purchase.DisputedAmountCents = state == PaymentDisputeState.Won ? 0 : again ? Math.Max(purchase.DisputedAmountCents, amount) : amount;
        }, cancellationToken);
    }

    /// <summary>
    /// Applies a change of a purchase's refunds or dispute: recomputes how many of its credits should be removed
    /// (refunded share + disputed share, at most the credits bought) and removes or restores the difference. Runs
    /// after locking the buyer's balance row, so reversals of one purchase (and every other movement of the buyer)
    /// are serialized, whatever order the provider's events arrive in. For a pack bought as a gift the gift row is locked
    /// first, and the credits are taken from (or restored to) whoever holds them: the recipient once it was redeemed.
    /// </summary>
    private Task<PurchaseReversalResult> ReverseAsync(string providerPaymentId, string cause, Action<CreditPurchase> change, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(providerPaymentId);
        return CreditTransactions.RunAsync(db, async ct =>
        {
            var found = await db.Set<CreditPurchase>().AsNoTracking()
                .Where(p => p.ProviderPaymentId == providerPaymentId && (p.Status == PurchaseStatus.Completed || p.Status == PurchaseStatus.Refunded))
                .Select(p => new { p.Id, p.UserId }).FirstOrDefaultAsync(ct).ConfigureAwait(false);
            if (found is null)
            {
                LogUnknownPayment(logger, providerPaymentId, cause);
                return new PurchaseReversalResult { Found = false };
            }

            var now = time.GetUtcNow().UtcDateTime;
            // A bought gift's row first (the order of redemptions), then the balance rows in user id order.
            var gift = await gifts.LockAsync(found.Id, ct).ConfigureAwait(false);
            var holder = gift?.Recipient ?? found.UserId;
            await CreditHolds.LockBalanceRowsAsync(db, found.UserId, holder, now, ct).ConfigureAwait(false);
            var purchase = await db.Set<CreditPurchase>().AsNoTracking().FirstAsync(p => p.Id == found.Id, ct).ConfigureAwait(false);

            var freeze = options.Value.DisputePolicy == CreditDisputePolicy.FreezeOnOpen;
            var before = ClawbackTarget(purchase, freeze);
            var refundedBefore = purchase.RefundedAmountCents;
            change(purchase);
            var after = ClawbackTarget(purchase, freeze);
            var frozenDispute = freeze && cause == "dispute" ? purchase.DisputeId : null;
            if (gift is not null && (after > before || (frozenDispute is not null && purchase.DisputeState == PaymentDisputeState.Open)))
            {
                // A pending gift is revoked, its credits back with the buyer: a redemption would hand on credits that
                // this reversal takes back or freezes. A redeemed one stays with its recipient.
                await gifts.RevokeAsync(gift, ct).ConfigureAwait(false);
            }

            if (frozenDispute is { } disputeId)
            {
                // Frozen credits are a hold that never lapses: released when the dispute is decided (then, if lost,
                // the clawback below removes them like any other).
                await (purchase.DisputeState == PaymentDisputeState.Open
                    ? FreezeAsync(purchase, holder, disputeId, now, ct)
                    : UnfreezeAsync(purchase.UserId, holder, disputeId, now, ct)).ConfigureAwait(false);
            }

            if (purchase.RefundedAmountCents > 0 || purchase.DisputeState == PaymentDisputeState.Lost)
            {
                await referrals.ClawBackAsync(purchase, cause, now, ct).ConfigureAwait(false);
            }

            long removed = 0, restored = 0, shortfall = 0;
            var lot = gift?.ReceivedTransactionId ?? purchase.TransactionId;
            if (after > before)
            {
                var take = gift?.Recipient is null ? after - before : Math.Min(after - before, gift.RecipientCap(purchase.CreditsClawedBack));
                removed = await RemoveAsync(purchase, holder, lot, take, cause, now, ct).ConfigureAwait(false);
                shortfall = after - before - removed;
                purchase.CreditsClawedBack += removed;
                purchase.ClawbackShortfall += shortfall;
            }
            else if (after < before)
            {
                var kept = Math.Min(purchase.CreditsClawedBack, after);
                restored = purchase.CreditsClawedBack - kept;
                purchase.CreditsClawedBack = kept;
                purchase.ClawbackShortfall = Math.Max(0, Math.Min(purchase.ClawbackShortfall, after - kept));
                if (restored > 0)
                {
                    // Restored credits keep the purchase's expiry, if its credits expire, and its category (paid).
                    var expiresAt = await db.Set<CreditGrant>().AsNoTracking().Where(g => g.UserId == holder && g.TransactionId == lot)
                        .Select(g => (DateTime?)g.ExpiresAt).FirstOrDefaultAsync(ct).ConfigureAwait(false);
                    await credits.GrantAsync(holder, restored, CreditTransactionType.Adjustment, "Dispute won: credits restored",
                        CreditArguments.Metadata(new { purchaseId = purchase.Id, cause }), null, providerPaymentId, ct,
                        expiresAt is { } at && at != CreditGrant.NoExpiry ? new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc)) : null,
                        CreditCategory.Paid).ConfigureAwait(false);
                }
            }

            var status = purchase.RefundedAmountCents >= purchase.AmountCents && purchase.AmountCents > 0 ? PurchaseStatus.Refunded : PurchaseStatus.Completed;
            await db.Set<CreditPurchase>().Where(p => p.Id == purchase.Id)
                .ExecuteUpdateAsync(u => u
                    .SetProperty(p => p.RefundedAmountCents, purchase.RefundedAmountCents)
                    .SetProperty(p => p.DisputeId, purchase.DisputeId)
                    .SetProperty(p => p.DisputeState, purchase.DisputeState)
                    .SetProperty(p => p.DisputedAmountCents, purchase.DisputedAmountCents)
                    .SetProperty(p => p.CreditsClawedBack, purchase.CreditsClawedBack)
                    .SetProperty(p => p.ClawbackShortfall, purchase.ClawbackShortfall)
                    .SetProperty(p => p.Status, status)
                    .SetProperty(p => p.UpdatedAt, now), ct)
                .ConfigureAwait(false);
            if (purchase.RefundedAmountCents > refundedBefore)
            {
                await CreditEventOutbox.RaiseAsync(db, new PurchaseRefunded
                {
                    EventId = CreditEventOutbox.NewId(time.GetUtcNow()), WalletId = purchase.UserId, OccurredAt = time.GetUtcNow(),
                    PurchaseId = purchase.Id, RefundedAmountCents = purchase.RefundedAmountCents, CreditsRemoved = removed,
                }, ct).ConfigureAwait(false);
            }

            var balance = await credits.GetAccountBalanceAsync(holder, ct).ConfigureAwait(false);
            LogReversed(logger, purchase.Id, cause, removed, restored, shortfall);
            return new PurchaseReversalResult { Found = true, CreditsRemoved = removed, CreditsRestored = restored, Shortfall = shortfall, Balance = balance.Balance };
        }, cancellationToken);
    }

    /// <summary>
    /// Credits of a purchase that refunds and disputes take back: each share rounded half up, at most the credits
    /// bought. With the freeze policy an open dispute takes nothing back (its share is frozen instead).
    /// </summary>
    private static long ClawbackTarget(CreditPurchase p, bool freeze)
    {
        var disputed = freeze && p.DisputeState == PaymentDisputeState.Open ? 0 : p.DisputedAmountCents;
        return Math.Min(p.Credits, Share(p.Credits, p.RefundedAmountCents, p.AmountCents) + Share(p.Credits, disputed, p.AmountCents));
    }

    private static long Share(long credits, long part, long total) => total <= 0 ? 0 : ((credits * part * 2) + total) / (2 * total);

    /// <summary>
    /// Holds the disputed share of the credits (at most the balance) with a hold that never lapses, once per dispute.
    /// Credits already under another hold are frozen too (the holds may then exceed the balance): releasing that hold
    /// does not make them spendable while the dispute is open.
    /// </summary>
    private async Task FreezeAsync(CreditPurchase purchase, string holder, string disputeId, DateTime now, CancellationToken cancellationToken)
    {
        var key = CreditOperationKeys.For("dispute", disputeId);
        if (await db.Set<CreditReservation>().AnyAsync(r => r.UserId == holder && r.IdempotencyKey == key, cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        await CreditLots.ExpireLapsedAsync(db, holder, now, options.Value.Events.LowBalanceThreshold, cancellationToken).ConfigureAwait(false);
        var account = await db.Set<CreditAccount>().AsNoTracking().Where(a => a.UserId == holder)
            .Select(a => new { a.Balance, a.Reserved }).FirstAsync(cancellationToken).ConfigureAwait(false);
        var amount = Math.Min(Math.Min(purchase.Credits, Share(purchase.Credits, purchase.DisputedAmountCents, purchase.AmountCents)),
            Math.Max(0, account.Balance));
        await db.Set<CreditAccount>().Where(a => a.UserId == holder)
            .ExecuteUpdateAsync(u => u.SetProperty(a => a.Reserved, a => a.Reserved + amount), cancellationToken).ConfigureAwait(false);
        var hold = new CreditReservation
        {
            Id = Guid.CreateVersion7(new DateTimeOffset(now, TimeSpan.Zero)),
            UserId = holder,
            Feature = "dispute",
            Model = "frozen",
            Amount = amount,
            RequestedAmount = amount,
            Status = ReservationStatus.Active,
            IdempotencyKey = key,
            ExpiresAt = DateTime.SpecifyKind(new DateTime(9999, 1, 1), DateTimeKind.Utc),
            CreatedAt = now,
        };
        await db.InsertDetachedAsync(hold, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Releases the dispute's freeze, on the holder or on the buyer (both balance rows are locked): the freeze is with
    /// one of them, and versions before decision 0029 could leave it on the buyer of a gift redeemed after it.
    /// </summary>
    private async Task UnfreezeAsync(string buyer, string holder, string disputeId, DateTime now, CancellationToken cancellationToken)
    {
        var key = CreditOperationKeys.For("dispute", disputeId);
        var holds = await db.Set<CreditReservation>().AsNoTracking()
            .Where(r => (r.UserId == holder || r.UserId == buyer) && r.IdempotencyKey == key && r.Status == ReservationStatus.Active)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        foreach (var hold in holds)
        {
            await CreditHolds.SettleAsync(db, hold.Id, hold.UserId, hold.Amount, ReservationStatus.Released, now, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Removes up to <paramref name="amount"/> credits from the holder of the purchase's credits (the buyer, or a bought
    /// gift's recipient; this transaction holds the balance row) per the clawback policy, taking the purchase's own credits
    /// (the lot of <paramref name="grantTransactionId"/>) first.
    /// </summary>
    private Task<long> RemoveAsync(CreditPurchase purchase, string holder, Guid? grantTransactionId, long amount, string cause, DateTime now,
        CancellationToken cancellationToken) =>
        clawbacks.RemoveAsync(holder, grantTransactionId, amount,
            cause == "refund" ? $"Payment refunded: {purchase.PackageId} pack credits removed" : $"Payment disputed: {purchase.PackageId} pack credits removed",
            CreditArguments.Metadata(new { purchaseId = purchase.Id, cause }), purchase.ProviderPaymentId, now, cancellationToken);

    [LoggerMessage(EventId = 1204, Level = LogLevel.Warning, Message = "No completed purchase has payment {PaymentId}; the {Cause} changes nothing")]
    private static partial void LogUnknownPayment(ILogger logger, string paymentId, string cause);

    [LoggerMessage(EventId = 1205, Level = LogLevel.Information, Message = "Purchase {PurchaseId} {Cause}: {Removed} credits removed, {Restored} restored, {Shortfall} already spent")]
    private static partial void LogReversed(ILogger logger, Guid purchaseId, string cause, long removed, long restored, long shortfall);
}
