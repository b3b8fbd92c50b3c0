using MediaForge.Credits.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MediaForge.Credits.Internal;

/// <summary>
/// <see cref="ICreditPurchaseService"/> on EF Core. Status changes are conditional updates (a completed purchase is
/// never set back to failed); grants go through the ledger with the idempotency key <c>mf:purchase:{session id}</c> or
/// <c>mf:package:{package id}</c>, in the same transaction as the purchase row.
/// </summary>
internal sealed partial class CreditPurchaseService(
    CreditsDbContextHandle handle,
    CreditService credits,
    IOptions<CreditsOptions> options,
    TimeProvider time,
    ILogger<CreditPurchaseService> logger) : ICreditPurchaseService
{
    private readonly DbContext db = handle.Context;

    public static string PurchaseKey(string providerSessionId) => CreditOperationKeys.For("purchase", providerSessionId);

    public static string PackageKey(string packageId) => CreditOperationKeys.For("package", packageId);

    public async Task<CreditPurchaseEntry> StartPurchaseAsync(string userId, string packageId, string provider, CancellationToken cancellationToken = default)
    {
        CreditArguments.UserId(userId);
        ArgumentException.ThrowIfNullOrWhiteSpace(provider);
        var package = await FindPackageAsync(packageId, free: false, cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        var purchase = new CreditPurchase
        {
            Id = Guid.CreateVersion7(now),
            UserId = userId,
            PackageId = package.Id,
            Credits = package.Credits,
            AmountCents = package.PriceCents,
            Currency = package.Currency,
            Status = PurchaseStatus.Pending,
            Provider = provider,
            CreatedAt = now.UtcDateTime,
            UpdatedAt = now.UtcDateTime,
        };
        await CreditTransactions.RunAsync(db, async ct =>
        {
            if (package.OncePerUser && await BoughtAsync(userId, package.Id, null, ct).ConfigureAwait(false))
            {
                throw new CreditPackageLimitException(userId, package.Id);
            }

            await credits.EnsureAccountAsync(userId, ct).ConfigureAwait(false);
            await db.InsertDetachedAsync(purchase, ct).ConfigureAwait(false);
            return true;
        }, cancellationToken).ConfigureAwait(false);
        return ToEntry(purchase);
    }

    public async Task AttachSessionAsync(Guid purchaseId, string providerSessionId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(providerSessionId);
        var now = time.GetUtcNow().UtcDateTime;
        await db.Set<CreditPurchase>()
            .Where(p => p.Id == purchaseId)
            .ExecuteUpdateAsync(s => s.SetProperty(p => p.ProviderSessionId, providerSessionId).SetProperty(p => p.UpdatedAt, now), cancellationToken)
            .ConfigureAwait(false);
    }

    public Task<PurchaseFulfilmentResult> CompletePurchaseAsync(string providerSessionId, long amountPaidCents, string currency,
        string? packageId = null, string? providerPaymentId = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(providerSessionId);
        ArgumentException.ThrowIfNullOrWhiteSpace(currency);
        return CreditTransactions.RunAsync(db, async ct =>
        {
            var purchase = await db.Set<CreditPurchase>().AsNoTracking()
                .FirstOrDefaultAsync(p => p.ProviderSessionId == providerSessionId, ct).ConfigureAwait(false);
            if (purchase is null)
            {
                LogUnknownSession(providerSessionId);
                return new PurchaseFulfilmentResult { Outcome = PurchaseFulfilmentOutcome.NotFound };
            }

            if (purchase.Status is PurchaseStatus.Completed or PurchaseStatus.Refunded)
            {
                // Final for fulfilment: a success page opened again after a refund (Stripe still says paid) changes nothing.
                var balance = await db.Set<CreditTransaction>().AsNoTracking().Where(t => t.Id == purchase.TransactionId)
                    .Select(t => (long?)t.BalanceAfter).FirstOrDefaultAsync(ct).ConfigureAwait(false);
                return Result(PurchaseFulfilmentOutcome.AlreadyCompleted, purchase, purchase.TransactionId, balance);
            }

            var mismatch = amountPaidCents != purchase.AmountCents ? $"amount {amountPaidCents} paid, {purchase.AmountCents} expected"
                : !string.Equals(currency, purchase.Currency, StringComparison.OrdinalIgnoreCase) ? $"currency '{currency}' paid, '{purchase.Currency}' expected"
                : packageId is not null && !string.Equals(packageId, purchase.PackageId, StringComparison.OrdinalIgnoreCase) ? $"package '{packageId}' paid, '{purchase.PackageId}' expected"
                : null;
            if (mismatch is not null)
            {
                LogMismatch(providerSessionId, purchase.UserId, mismatch);
                return Result(PurchaseFulfilmentOutcome.Mismatch, purchase, null, null) with { Detail = mismatch };
            }

            if (await OncePerUserTakenAsync(purchase, ct).ConfigureAwait(false) is { } taken)
            {
                LogMismatch(providerSessionId, purchase.UserId, taken);
                return Result(PurchaseFulfilmentOutcome.Mismatch, purchase, null, null) with { Detail = taken };
            }

            var lifetimeDays = await db.Set<CreditPackage>().AsNoTracking().Where(p => p.Id == purchase.PackageId)
                .Select(p => p.CreditLifetimeDays).FirstOrDefaultAsync(ct).ConfigureAwait(false);
            var grant = await credits.GrantAsync(
                purchase.UserId, purchase.Credits, CreditTransactionType.Purchase, $"{purchase.PackageId} pack purchase",
                CreditArguments.Metadata(new { purchaseId = purchase.Id, packageId = purchase.PackageId, amountCents = purchase.AmountCents, currency = purchase.Currency }),
                PurchaseKey(providerSessionId), providerSessionId, ct,
                lifetimeDays is { } days ? time.GetUtcNow().AddDays(days) : null).ConfigureAwait(false);
            var now = time.GetUtcNow().UtcDateTime;
            await db.Set<CreditPurchase>()
                .Where(p => p.Id == purchase.Id
                    && (p.Status == PurchaseStatus.Pending || p.Status == PurchaseStatus.Failed || p.Status == PurchaseStatus.Expired))
                .ExecuteUpdateAsync(s => s
                    .SetProperty(p => p.Status, PurchaseStatus.Completed)
                    .SetProperty(p => p.TransactionId, grant.TransactionId)
                    .SetProperty(p => p.CompletedAt, p => p.CompletedAt ?? now)
                    .SetProperty(p => p.UpdatedAt, now)
                    .SetProperty(p => p.FailureReason, (string?)null)
                    .SetProperty(p => p.ProviderPaymentId, p => providerPaymentId ?? p.ProviderPaymentId), ct)
                .ConfigureAwait(false);
            purchase.Status = PurchaseStatus.Completed;
            purchase.CompletedAt = now;
            LogCompleted(providerSessionId, purchase.UserId, purchase.Credits, grant.IsReplay);
            return Result(grant.IsReplay ? PurchaseFulfilmentOutcome.AlreadyCompleted : PurchaseFulfilmentOutcome.Completed,
                purchase, grant.TransactionId, grant.Balance);
        }, cancellationToken);
    }

    public async Task<bool> FailPurchaseAsync(Guid purchaseId, string reason, string? providerPaymentId = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reason);
        var now = time.GetUtcNow().UtcDateTime;
        var trimmed = reason.Length > 500 ? reason[..500] : reason;
        var changed = await db.Set<CreditPurchase>()
            .Where(p => p.Id == purchaseId && p.Status == PurchaseStatus.Pending)
            .ExecuteUpdateAsync(s => s
                .SetProperty(p => p.Status, PurchaseStatus.Failed)
                .SetProperty(p => p.FailureReason, trimmed)
                .SetProperty(p => p.UpdatedAt, now)
                .SetProperty(p => p.ProviderPaymentId, p => providerPaymentId ?? p.ProviderPaymentId), cancellationToken)
            .ConfigureAwait(false);
        return changed > 0;
    }

    public async Task<bool> ExpirePurchaseAsync(string providerSessionId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(providerSessionId);
        var now = time.GetUtcNow().UtcDateTime;
        var changed = await db.Set<CreditPurchase>()
            .Where(p => p.ProviderSessionId == providerSessionId && p.Status == PurchaseStatus.Pending)
            .ExecuteUpdateAsync(s => s.SetProperty(p => p.Status, PurchaseStatus.Expired).SetProperty(p => p.UpdatedAt, now), cancellationToken)
            .ConfigureAwait(false);
        return changed > 0;
    }

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
    /// are serialized, whatever order the provider's events arrive in.
    /// </summary>
    private Task<PurchaseReversalResult> ReverseAsync(string providerPaymentId, string cause, Action<CreditPurchase> change, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(providerPaymentId);
        return CreditTransactions.RunAsync(db, async ct =>
        {
            var buyer = await db.Set<CreditPurchase>().AsNoTracking()
                .Where(p => p.ProviderPaymentId == providerPaymentId && (p.Status == PurchaseStatus.Completed || p.Status == PurchaseStatus.Refunded))
                .Select(p => p.UserId).FirstOrDefaultAsync(ct).ConfigureAwait(false);
            if (buyer is null)
            {
                LogUnknownPayment(providerPaymentId, cause);
                return new PurchaseReversalResult { Found = false };
            }

            var now = time.GetUtcNow().UtcDateTime;
            await db.Set<CreditAccount>().Where(a => a.UserId == buyer)
                .ExecuteUpdateAsync(u => u.SetProperty(a => a.UpdatedAt, now), ct).ConfigureAwait(false);
            var purchase = await db.Set<CreditPurchase>().AsNoTracking()
                .FirstAsync(p => p.ProviderPaymentId == providerPaymentId && p.UserId == buyer, ct).ConfigureAwait(false);

            var freeze = options.Value.DisputePolicy == CreditDisputePolicy.FreezeOnOpen;
            var before = ClawbackTarget(purchase, freeze);
            change(purchase);
            if (freeze && cause == "dispute" && purchase.DisputeId is { } disputeId)
            {
                // Frozen credits are a hold that never lapses: released when the dispute is decided (then, if lost,
                // the clawback below removes them like any other).
                await (purchase.DisputeState == PaymentDisputeState.Open
                    ? FreezeAsync(purchase, disputeId, now, ct)
                    : UnfreezeAsync(purchase.UserId, disputeId, now, ct)).ConfigureAwait(false);
            }

            var after = ClawbackTarget(purchase, freeze);
            long removed = 0, restored = 0, shortfall = 0;
            if (after > before)
            {
                removed = await RemoveAsync(purchase, after - before, cause, now, ct).ConfigureAwait(false);
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
                    // Restored credits keep the purchase's expiry, if its credits expire.
                    var expiresAt = await db.Set<CreditGrant>().AsNoTracking().Where(g => g.UserId == purchase.UserId && g.TransactionId == purchase.TransactionId)
                        .Select(g => (DateTime?)g.ExpiresAt).FirstOrDefaultAsync(ct).ConfigureAwait(false);
                    await credits.GrantAsync(purchase.UserId, restored, CreditTransactionType.Adjustment, "Dispute won: credits restored",
                        CreditArguments.Metadata(new { purchaseId = purchase.Id, cause }), null, providerPaymentId, ct,
                        expiresAt is { } at ? new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc)) : null).ConfigureAwait(false);
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
            var balance = await credits.GetBalanceAsync(purchase.UserId, ct).ConfigureAwait(false);
            LogReversed(purchase.Id, cause, removed, restored, shortfall);
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
    private async Task FreezeAsync(CreditPurchase purchase, string disputeId, DateTime now, CancellationToken cancellationToken)
    {
        var key = CreditOperationKeys.For("dispute", disputeId);
        if (await db.Set<CreditReservation>().AnyAsync(r => r.UserId == purchase.UserId && r.IdempotencyKey == key, cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        await CreditLots.ExpireLapsedAsync(db, purchase.UserId, now, cancellationToken).ConfigureAwait(false);
        var account = await db.Set<CreditAccount>().AsNoTracking().Where(a => a.UserId == purchase.UserId)
            .Select(a => new { a.Balance, a.Reserved }).FirstAsync(cancellationToken).ConfigureAwait(false);
        var amount = Math.Min(Math.Min(purchase.Credits, Share(purchase.Credits, purchase.DisputedAmountCents, purchase.AmountCents)),
            Math.Max(0, account.Balance));
        await db.Set<CreditAccount>().Where(a => a.UserId == purchase.UserId)
            .ExecuteUpdateAsync(u => u.SetProperty(a => a.Reserved, a => a.Reserved + amount), cancellationToken).ConfigureAwait(false);
        var hold = new CreditReservation
        {
            Id = Guid.CreateVersion7(new DateTimeOffset(now, TimeSpan.Zero)),
            UserId = purchase.UserId,
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

    private async Task UnfreezeAsync(string userId, string disputeId, DateTime now, CancellationToken cancellationToken)
    {
        var key = CreditOperationKeys.For("dispute", disputeId);
        var hold = await db.Set<CreditReservation>().AsNoTracking()
            .FirstOrDefaultAsync(r => r.UserId == userId && r.IdempotencyKey == key && r.Status == ReservationStatus.Active, cancellationToken).ConfigureAwait(false);
        if (hold is not null)
        {
            await CreditHolds.SettleAsync(db, hold.Id, hold.UserId, hold.Amount, ReservationStatus.Released, now, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Removes up to <paramref name="amount"/> credits from the buyer (whose balance row this transaction holds) per the
    /// clawback policy: from the balance, held credits included (a hold that ends later settles against what is left),
    /// taking the purchase's own credits first so that other grants keep their expiry.
    /// </summary>
    private async Task<long> RemoveAsync(CreditPurchase purchase, long amount, string cause, DateTime now, CancellationToken cancellationToken)
    {
        await CreditLots.ExpireLapsedAsync(db, purchase.UserId, now, cancellationToken).ConfigureAwait(false);
        var account = await db.Set<CreditAccount>().AsNoTracking().Where(a => a.UserId == purchase.UserId)
            .Select(a => new { a.Balance }).FirstAsync(cancellationToken).ConfigureAwait(false);
        var take = options.Value.ClawbackPolicy == CreditClawbackPolicy.AllowNegativeBalance
            ? amount
            : Math.Min(amount, Math.Max(0, account.Balance));
        if (take <= 0)
        {
            return 0;
        }

        await db.Set<CreditAccount>().Where(a => a.UserId == purchase.UserId)
            .ExecuteUpdateAsync(u => u.SetProperty(a => a.Balance, a => a.Balance - take), cancellationToken).ConfigureAwait(false);
        await CreditLots.ConsumeClawbackAsync(db, purchase.UserId, purchase.TransactionId, take, account.Balance, cancellationToken).ConfigureAwait(false);
        await CreditLedger.For(db).AppendAsync(new CreditTransaction
        {
            Id = Guid.CreateVersion7(new DateTimeOffset(now, TimeSpan.Zero)),
            UserId = purchase.UserId,
            Amount = -take,
            BalanceAfter = account.Balance - take,
            Type = CreditTransactionType.Refund,
            Description = cause == "refund" ? $"Payment refunded: {purchase.PackageId} pack credits removed" : $"Payment disputed: {purchase.PackageId} pack credits removed",
            Metadata = CreditArguments.Metadata(new { purchaseId = purchase.Id, cause }),
            Reference = purchase.ProviderPaymentId,
            CreatedAt = now,
        }, null, cancellationToken).ConfigureAwait(false);
        return take;
    }

    public async Task<FreePackageClaimResult> ClaimFreePackageAsync(string userId, string packageId, string? reference = null, CancellationToken cancellationToken = default)
    {
        CreditArguments.UserId(userId);
        var package = await FindPackageAsync(packageId, free: true, cancellationToken).ConfigureAwait(false);
        var key = PackageKey(package.Id);
        return await CreditTransactions.RunAsync(db, async ct =>
        {
            // The claim of the e-mail is the free purchase row's session id: unique, so of two accounts with one address
            // claiming at once, the second's insert fails, the transaction runs again and finds the first's.
            var emailClaim = await EmailClaimAsync(userId, package.Id, ct).ConfigureAwait(false);
            var emailClaimed = emailClaim is not null
                && await db.Set<CreditPurchase>().AsNoTracking().AnyAsync(p => p.ProviderSessionId == emailClaim, ct).ConfigureAwait(false);
            var earlier = await db.Set<CreditTransaction>().AsNoTracking().Where(t => t.UserId == userId && t.IdempotencyKey == key)
                .Select(t => (Guid?)t.Id).FirstOrDefaultAsync(ct).ConfigureAwait(false);
            if (earlier is { } earlierGrant)
            {
                if (emailClaim is not null && !emailClaimed)
                {
                    // Claimed before the e-mail was known (say, through the API before the identity provider's webhook):
                    // the address is recorded now, so later accounts with it get nothing.
                    await db.Set<CreditPurchase>()
                        .Where(p => p.UserId == userId && p.PackageId == package.Id && p.Provider == "free" && p.ProviderSessionId == null)
                        .ExecuteUpdateAsync(u => u.SetProperty(p => p.ProviderSessionId, emailClaim), ct).ConfigureAwait(false);
                }

                return await NotGrantedAsync(userId, package, earlierGrant, emailAlreadyClaimed: false, ct).ConfigureAwait(false);
            }

            if (emailClaimed)
            {
                LogEmailAlreadyClaimed(userId, package.Id);
                return await NotGrantedAsync(userId, package, Guid.Empty, emailAlreadyClaimed: true, ct).ConfigureAwait(false);
            }

            var lifetime = package.CreditLifetimeDays is { } days ? TimeSpan.FromDays(days) : options.Value.BonusCreditLifetime;
            var grant = await credits.GrantAsync(userId, package.Credits, CreditTransactionType.Bonus, $"{package.Name} pack (free)",
                CreditArguments.Metadata(new { packageId = package.Id }), key, reference, ct,
                lifetime is { } live ? time.GetUtcNow() + live : null).ConfigureAwait(false);
            if (grant.IsReplay)
            {
                return await NotGrantedAsync(userId, package, grant.TransactionId, emailAlreadyClaimed: false, ct).ConfigureAwait(false);
            }

            var now = time.GetUtcNow();
            await db.InsertDetachedAsync(new CreditPurchase
            {
                Id = Guid.CreateVersion7(now),
                UserId = userId,
                PackageId = package.Id,
                Credits = package.Credits,
                AmountCents = 0,
                Currency = package.Currency,
                Status = PurchaseStatus.Completed,
                Provider = "free",
                ProviderSessionId = emailClaim,
                TransactionId = grant.TransactionId,
                CreatedAt = now.UtcDateTime,
                UpdatedAt = now.UtcDateTime,
                CompletedAt = now.UtcDateTime,
            }, ct).ConfigureAwait(false);
            return new FreePackageClaimResult { Granted = true, Credits = package.Credits, Balance = grant.Balance, TransactionId = grant.TransactionId };
        }, cancellationToken).ConfigureAwait(false);
    }

    private async Task<FreePackageClaimResult> NotGrantedAsync(string userId, CreditPackage package, Guid transactionId, bool emailAlreadyClaimed, CancellationToken cancellationToken)
    {
        var balance = await credits.GetBalanceAsync(userId, cancellationToken).ConfigureAwait(false);
        return new FreePackageClaimResult
        {
            Granted = false,
            Credits = package.Credits,
            Balance = balance.Balance,
            TransactionId = transactionId,
            EmailAlreadyClaimed = emailAlreadyClaimed,
        };
    }

    /// <summary>
    /// The claim of a free package by the user's e-mail (<c>mf:free-email:{package}:{SHA-256 of the normalized address}</c>),
    /// or <see langword="null"/> when the guard is off or the user's row has no usable address.
    /// </summary>
    private async Task<string?> EmailClaimAsync(string userId, string packageId, CancellationToken cancellationToken)
    {
        if (!options.Value.OneFreePackagePerEmail)
        {
            return null;
        }

        var email = await db.Set<CreditUser>().AsNoTracking().Where(u => u.Id == userId).Select(u => u.Email).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        return CreditEmailFingerprint.Compute(email, options.Value.FreePackageEmailNormalization) is { } hash
            ? CreditOperationKeys.For("free-email", packageId + ":" + hash)
            : null;
    }

    /// <summary>Whether the user got the package by a purchase or claim other than <paramref name="except"/> (refunded ones count).</summary>
    private Task<bool> BoughtAsync(string userId, string packageId, Guid? except, CancellationToken cancellationToken) =>
        db.Set<CreditPurchase>().AsNoTracking()
            .AnyAsync(p => p.UserId == userId && p.PackageId == packageId && p.TransactionId != null && p.Id != except, cancellationToken);

    /// <summary>
    /// Why a paid purchase of a once-per-user package must not be fulfilled (the user got the package by another one), or
    /// <see langword="null"/>. Locks the buyer's balance row first, so two paid sessions of the package fulfilled at once
    /// are serialized and the second finds the first.
    /// </summary>
    private async Task<string?> OncePerUserTakenAsync(CreditPurchase purchase, CancellationToken cancellationToken)
    {
        var oncePerUser = await db.Set<CreditPackage>().AsNoTracking().Where(p => p.Id == purchase.PackageId)
            .Select(p => p.OncePerUser).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        if (!oncePerUser)
        {
            return null;
        }

        var now = time.GetUtcNow().UtcDateTime;
        await db.Set<CreditAccount>().Where(a => a.UserId == purchase.UserId)
            .ExecuteUpdateAsync(u => u.SetProperty(a => a.UpdatedAt, now), cancellationToken).ConfigureAwait(false);
        return await BoughtAsync(purchase.UserId, purchase.PackageId, purchase.Id, cancellationToken).ConfigureAwait(false)
            ? $"package '{purchase.PackageId}' can be bought once per user and this user already has it: nothing granted, refund this payment"
            : null;
    }

    public async Task<bool> HasClaimedAsync(string userId, string packageId, CancellationToken cancellationToken = default)
    {
        CreditArguments.UserId(userId);
        var id = CreditArguments.Name(packageId, nameof(packageId));
        var key = PackageKey(id);
        return await db.Set<CreditTransaction>().AsNoTracking().AnyAsync(t => t.UserId == userId && t.IdempotencyKey == key, cancellationToken).ConfigureAwait(false)
            || await BoughtAsync(userId, id, null, cancellationToken).ConfigureAwait(false);
    }

    public async Task<CreditPurchaseEntry?> FindBySessionAsync(string providerSessionId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(providerSessionId);
        var purchase = await db.Set<CreditPurchase>().AsNoTracking()
            .FirstOrDefaultAsync(p => p.ProviderSessionId == providerSessionId, cancellationToken).ConfigureAwait(false);
        return purchase is null ? null : ToEntry(purchase);
    }

    private async Task<CreditPackage> FindPackageAsync(string packageId, bool free, CancellationToken cancellationToken)
    {
        var id = CreditArguments.Name(packageId, nameof(packageId));
        return await db.Set<CreditPackage>().AsNoTracking()
            .FirstOrDefaultAsync(p => p.Id == id && p.IsActive && p.IsFree == free, cancellationToken).ConfigureAwait(false)
            ?? throw new UnknownCreditPackageException(packageId, free ? "free" : "paid");
    }

    private static PurchaseFulfilmentResult Result(PurchaseFulfilmentOutcome outcome, CreditPurchase purchase, Guid? transactionId, long? balance) => new()
    {
        Outcome = outcome,
        Purchase = ToEntry(purchase),
        UserId = purchase.UserId,
        TransactionId = transactionId,
        Balance = balance,
    };

    internal static CreditPurchaseEntry ToEntry(CreditPurchase p) => new()
    {
        Id = p.Id,
        UserId = p.UserId,
        PackageId = p.PackageId,
        Credits = p.Credits,
        AmountCents = p.AmountCents,
        Currency = p.Currency,
        Status = p.Status,
        CreatedAt = new DateTimeOffset(DateTime.SpecifyKind(p.CreatedAt, DateTimeKind.Utc)),
        CompletedAt = p.CompletedAt is { } completed ? new DateTimeOffset(DateTime.SpecifyKind(completed, DateTimeKind.Utc)) : null,
    };

    [LoggerMessage(EventId = 1201, Level = LogLevel.Information, Message = "Purchase {SessionId} of {UserId} completed: {Credits} credits (replay {IsReplay})")]
    private partial void LogCompleted(string sessionId, string userId, long credits, bool isReplay);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Error, Message = "Purchase {SessionId} of {UserId} NOT fulfilled: {Mismatch}")]
    private partial void LogMismatch(string sessionId, string userId, string mismatch);

    [LoggerMessage(EventId = 1204, Level = LogLevel.Warning, Message = "No completed purchase has payment {PaymentId}; the {Cause} changes nothing")]
    private partial void LogUnknownPayment(string paymentId, string cause);

    [LoggerMessage(EventId = 1205, Level = LogLevel.Information, Message = "Purchase {PurchaseId} {Cause}: {Removed} credits removed, {Restored} restored, {Shortfall} already spent")]
    private partial void LogReversed(Guid purchaseId, string cause, long removed, long restored, long shortfall);

    [LoggerMessage(EventId = 1250, Level = LogLevel.Information, Message = "Free package {PackageId} not granted to {UserId}: another account with the same e-mail got it")]
    private partial void LogEmailAlreadyClaimed(string userId, string packageId);

    [LoggerMessage(EventId = 1203, Level = LogLevel.Warning, Message = "No purchase has checkout session {SessionId}; nothing granted")]
    private partial void LogUnknownSession(string sessionId);
}
