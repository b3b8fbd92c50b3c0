using MediaForge.Credits.Events;
using MediaForge.Credits.Gifts;
using MediaForge.Credits.Referrals;

namespace MediaForge.Credits.Purchases;

/// <summary>
/// <see cref="ICreditPurchaseService"/> on EF Core. Status changes are conditional updates (a completed purchase is
/// never set back to failed); grants go through the ledger with the idempotency key <c>mf:purchase:{session id}</c> or
/// <c>mf:package:{package id}</c>, in the same transaction as the purchase row.
/// </summary>
internal sealed partial class CreditPurchaseService(
    CreditsDbContextHandle handle,
    CreditService credits,
    CreditPurchaseReversals reversals,
    CreditFreePackages freePackages,
    CreditReferralRewards referrals,
    CreditGiftHold gifts,
    IOptions<CreditsOptions> options,
    TimeProvider time,
    ILogger<CreditPurchaseService> logger) : ICreditPurchaseService
{
    private readonly DbContext db = handle.Context;

    public static string PurchaseKey(string providerSessionId) => CreditOperationKeys.For("purchase", providerSessionId);

    public Task<CreditPurchaseEntry> StartPurchaseAsync(string userId, string packageId, string provider, CancellationToken cancellationToken = default)
    {
        CreditArguments.UserId(userId);
        return StartAsync(userId, null, isGift: false, packageId, provider, cancellationToken);
    }

    public Task<CreditPurchaseEntry> StartGiftPurchaseAsync(string buyerId, string packageId, string provider, CancellationToken cancellationToken = default)
    {
        CreditArguments.UserId(buyerId);
        return StartAsync(buyerId, null, GiftsOn(isGift: true), packageId, provider, cancellationToken);
    }

    public Task<CreditPurchaseEntry> StartVolumePurchaseAsync(string userId, string packageId, int quantity, long? customCredits, string provider,
        bool isGift = false, CancellationToken cancellationToken = default)
    {
        CreditArguments.UserId(userId);
        return StartAsync(userId, null, GiftsOn(isGift), packageId, provider, cancellationToken, quantity, customCredits);
    }

    private bool GiftsOn(bool isGift) => !isGift || options.Value.Gifts.Enabled
        ? isGift
        : throw new InvalidOperationException("Gifts are turned off (CreditsOptions.Gifts.Enabled); a pack cannot be bought as a gift.");

    /// <summary>
    /// Records a pending purchase for the account <paramref name="accountId"/> (a user's own, or a team wallet's, then
    /// with the member who buys as <paramref name="purchasedBy"/>); <paramref name="isGift"/> for a pack bought as a gift
    /// (a user's own purchase only); <paramref name="quantity"/> packs or a custom amount of <paramref name="customCredits"/>
    /// priced by the package's tiers, on the server (<see cref="CreditVolumePricing"/>).
    /// </summary>
    internal async Task<CreditPurchaseEntry> StartAsync(string accountId, string? purchasedBy, bool isGift, string packageId, string provider,
        CancellationToken cancellationToken, int quantity = 1, long? customCredits = null)
    {
        var userId = accountId;
        ArgumentException.ThrowIfNullOrWhiteSpace(provider);
        var package = await CreditPackageRows.FindAsync(db, packageId, free: false, cancellationToken).ConfigureAwait(false);
        var quote = CreditVolumePricing.IsSinglePack(quantity, customCredits) ? null
            : await CreditPackageRows.QuoteAsync(db, package, quantity, customCredits, options.Value.Volume, cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        var purchase = new CreditPurchase
        {
            Id = Guid.CreateVersion7(now),
            UserId = userId,
            PackageId = package.Id,
            Quantity = quote is null ? 1 : quote.Quantity,
            Credits = quote?.Credits ?? package.Credits,
            AmountCents = quote?.AmountCents ?? package.PriceCents,
            Currency = package.Currency,
            Status = PurchaseStatus.Pending,
            Provider = provider,
            IsGift = isGift,
            PurchasedBy = purchasedBy,
            CreatedAt = now.UtcDateTime,
            UpdatedAt = now.UtcDateTime,
        };
        await CreditTransactions.RunAsync(db, async ct =>
        {
            if (package.OncePerUser && await CreditPackageRows.BoughtAsync(db, userId, package.Id, null, ct).ConfigureAwait(false))
            {
                throw new CreditPackageLimitException(userId, package.Id);
            }

            await credits.EnsureAccountAsync(userId, ct).ConfigureAwait(false);
            await db.InsertDetachedAsync(purchase, ct).ConfigureAwait(false);
            // Stryker disable once Boolean : the transaction's result is discarded; only its side effects matter
            return true;
        }, cancellationToken).ConfigureAwait(false);
        return CreditPurchaseEntry.From(purchase);
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
        string? packageId = null, string? providerPaymentId = null, long? creditsPaidFor = null, int? quantityPaidFor = null, CancellationToken cancellationToken = default)
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
                return Result(PurchaseFulfilmentOutcome.AlreadyCompleted, purchase, purchase.TransactionId, balance)
                    with { GiftId = await CreditGiftRows.IdOfPurchaseAsync(db, purchase.Id, ct).ConfigureAwait(false) };
            }

            var mismatch = CreditPurchaseChecks.Mismatch(purchase, amountPaidCents, currency, packageId, creditsPaidFor, quantityPaidFor);
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
                purchase.UserId, purchase.Credits, CreditTransactionType.Purchase, CreditPurchaseChecks.Description(purchase),
                CreditArguments.Metadata(new { purchaseId = purchase.Id, packageId = purchase.PackageId, quantity = purchase.Quantity, amountCents = purchase.AmountCents, currency = purchase.Currency }),
                PurchaseKey(providerSessionId), providerSessionId, ct,
                lifetimeDays is { } days ? time.GetUtcNow().AddDays(days) : null).ConfigureAwait(false);
            var now = time.GetUtcNow().UtcDateTime;
            await db.Set<CreditPurchase>()
                .Where(p => p.Id == purchase.Id
                    && (p.Status == PurchaseStatus.Pending || p.Status == PurchaseStatus.Failed || p.Status == PurchaseStatus.Expired))
                .ExecuteUpdateAsync(s => s
                    .SetProperty(p => p.Status, PurchaseStatus.Completed)
                    .SetProperty(p => p.TransactionId, grant.TransactionId)
                    .SetProperty(p => p.CompletedAt, now)
                    .SetProperty(p => p.UpdatedAt, now)
                    .SetProperty(p => p.FailureReason, (string?)null)
                    .SetProperty(p => p.ProviderPaymentId, p => providerPaymentId ?? p.ProviderPaymentId), ct)
                .ConfigureAwait(false);
            purchase.Status = PurchaseStatus.Completed;
            purchase.CompletedAt = now;
            if (!grant.IsReplay)
            {
                await CreditEventOutbox.RaiseAsync(db, new PurchaseCompleted
                {
                    EventId = CreditEventOutbox.NewId(time.GetUtcNow()), WalletId = purchase.UserId, OccurredAt = time.GetUtcNow(), PurchaseId = purchase.Id,
                    PackageId = purchase.PackageId, Credits = purchase.Credits, AmountCents = purchase.AmountCents, Currency = purchase.Currency,
                }, ct).ConfigureAwait(false);
                await referrals.QualifyPurchaseAsync(purchase, providerPaymentId ?? providerSessionId, ct).ConfigureAwait(false);
                if (purchase.IsGift)
                {
                    // Bought as a gift: the credits just granted are held under a gift, in this transaction, once.
                    await gifts.HoldPurchaseAsync(purchase, options.Value.Gifts.DefaultLifetime, now, ct).ConfigureAwait(false);
                }
            }

            LogCompleted(providerSessionId, purchase.UserId, purchase.Credits, grant.IsReplay);
            return Result(grant.IsReplay ? PurchaseFulfilmentOutcome.AlreadyCompleted : PurchaseFulfilmentOutcome.Completed,
                purchase, grant.TransactionId, grant.Balance) with { GiftId = await CreditGiftRows.IdOfPurchaseAsync(db, purchase.Id, ct).ConfigureAwait(false) };
        }, cancellationToken);
    }

    public async Task<bool> FailPurchaseAsync(Guid purchaseId, string reason, string? providerPaymentId = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reason);
        var now = time.GetUtcNow().UtcDateTime;
        var trimmed = reason[..Math.Min(reason.Length, 500)];
        var changed = await db.Set<CreditPurchase>()
            .Where(p => p.Id == purchaseId && p.Status == PurchaseStatus.Pending)
            .ExecuteUpdateAsync(s => s
                .SetProperty(p => p.Status, PurchaseStatus.Failed)
                .SetProperty(p => p.FailureReason, trimmed)
                .SetProperty(p => p.UpdatedAt, now)
                .SetProperty(p => p.ProviderPaymentId, providerPaymentId), cancellationToken) // a pending purchase has no payment id yet
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
    public Task<PurchaseReversalResult> RecordRefundAsync(string providerPaymentId, long amountRefundedCents, CancellationToken cancellationToken = default) =>
        reversals.RecordRefundAsync(providerPaymentId, amountRefundedCents, cancellationToken);

    public Task<PurchaseReversalResult> RecordDisputeAsync(string providerPaymentId, string disputeId, long disputedAmountCents,
        PaymentDisputeState state, CancellationToken cancellationToken = default) =>
        reversals.RecordDisputeAsync(providerPaymentId, disputeId, disputedAmountCents, state, cancellationToken);

    public Task<FreePackageClaimResult> ClaimFreePackageAsync(string userId, string packageId, string? reference = null, CancellationToken cancellationToken = default) =>
        freePackages.ClaimFreePackageAsync(userId, packageId, reference, cancellationToken);

    public Task<bool> HasClaimedAsync(string userId, string packageId, CancellationToken cancellationToken = default) =>
        freePackages.HasClaimedAsync(userId, packageId, cancellationToken);

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
        await Holds.CreditHolds.LockBalanceRowAsync(db, purchase.UserId, now, cancellationToken).ConfigureAwait(false);
        return await CreditPackageRows.BoughtAsync(db, purchase.UserId, purchase.PackageId, purchase.Id, cancellationToken).ConfigureAwait(false)
            ? $"package '{purchase.PackageId}' can be bought once per user and this user already has it: nothing granted, refund this payment"
            : null;
    }

    public async Task<CreditPurchaseEntry?> FindBySessionAsync(string providerSessionId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(providerSessionId);
        var purchase = await db.Set<CreditPurchase>().AsNoTracking()
            .FirstOrDefaultAsync(p => p.ProviderSessionId == providerSessionId, cancellationToken).ConfigureAwait(false);
        return purchase is null ? null : CreditPurchaseEntry.From(purchase);
    }

    private static PurchaseFulfilmentResult Result(PurchaseFulfilmentOutcome outcome, CreditPurchase purchase, Guid? transactionId, long? balance) => new()
    {
        Outcome = outcome,
        Purchase = CreditPurchaseEntry.From(purchase),
        UserId = purchase.UserId,
        TransactionId = transactionId,
        Balance = balance,
    };

    [LoggerMessage(EventId = 1201, Level = LogLevel.Information, Message = "Purchase {SessionId} of {UserId} completed: {Credits} credits (replay {IsReplay})")]
    private partial void LogCompleted(string sessionId, string userId, long credits, bool isReplay);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Error, Message = "Purchase {SessionId} of {UserId} NOT fulfilled: {Mismatch}")]
    private partial void LogMismatch(string sessionId, string userId, string mismatch);

    [LoggerMessage(EventId = 1203, Level = LogLevel.Warning, Message = "No purchase has checkout session {SessionId}; nothing granted")]
    private partial void LogUnknownSession(string sessionId);
}
