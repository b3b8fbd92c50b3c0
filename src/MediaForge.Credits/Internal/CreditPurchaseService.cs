using MediaForge.Credits.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MediaForge.Credits.Internal;

/// <summary>
/// <see cref="ICreditPurchaseService"/> on EF Core. Status changes are conditional updates (a completed purchase is
/// never set back to failed); grants go through the ledger with the idempotency key <c>purchase:{session id}</c> or
/// <c>package:{package id}</c>, in the same transaction as the purchase row.
/// </summary>
internal sealed partial class CreditPurchaseService(
    CreditsDbContextHandle handle,
    CreditService credits,
    IOptions<CreditsOptions> options,
    TimeProvider time,
    ILogger<CreditPurchaseService> logger) : ICreditPurchaseService
{
    private readonly DbContext db = handle.Context;

    public static string PurchaseKey(string providerSessionId) => "purchase:" + providerSessionId;

    public static string PackageKey(string packageId) => "package:" + packageId;

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
            await credits.EnsureAccountAsync(userId, ct).ConfigureAwait(false);
            await InsertAsync(purchase, ct).ConfigureAwait(false);
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

            if (purchase.Status == PurchaseStatus.Completed)
            {
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

            var lifetimeDays = await db.Set<CreditPackage>().AsNoTracking().Where(p => p.Id == purchase.PackageId)
                .Select(p => p.CreditLifetimeDays).FirstOrDefaultAsync(ct).ConfigureAwait(false);
            var grant = await credits.GrantAsync(
                purchase.UserId, purchase.Credits, CreditTransactionType.Purchase, $"{purchase.PackageId} pack purchase",
                CreditArguments.Metadata(new { purchaseId = purchase.Id, packageId = purchase.PackageId, amountCents = purchase.AmountCents, currency = purchase.Currency }),
                PurchaseKey(providerSessionId), providerSessionId, ct,
                lifetimeDays is { } days ? time.GetUtcNow().AddDays(days) : null).ConfigureAwait(false);
            var now = time.GetUtcNow().UtcDateTime;
            await db.Set<CreditPurchase>()
                .Where(p => p.Id == purchase.Id && p.Status != PurchaseStatus.Completed)
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

    public async Task<FreePackageClaimResult> ClaimFreePackageAsync(string userId, string packageId, string? reference = null, CancellationToken cancellationToken = default)
    {
        CreditArguments.UserId(userId);
        var package = await FindPackageAsync(packageId, free: true, cancellationToken).ConfigureAwait(false);
        return await CreditTransactions.RunAsync(db, async ct =>
        {
            var lifetime = package.CreditLifetimeDays is { } days ? TimeSpan.FromDays(days) : options.Value.BonusCreditLifetime;
            var grant = await credits.GrantAsync(userId, package.Credits, CreditTransactionType.Bonus, $"{package.Name} pack (free)",
                CreditArguments.Metadata(new { packageId = package.Id }), PackageKey(package.Id), reference, ct,
                lifetime is { } live ? time.GetUtcNow() + live : null).ConfigureAwait(false);
            if (grant.IsReplay)
            {
                var balance = await credits.GetBalanceAsync(userId, ct).ConfigureAwait(false);
                return new FreePackageClaimResult { Granted = false, Credits = package.Credits, Balance = balance.Balance, TransactionId = grant.TransactionId };
            }

            var now = time.GetUtcNow();
            await InsertAsync(new CreditPurchase
            {
                Id = Guid.CreateVersion7(now),
                UserId = userId,
                PackageId = package.Id,
                Credits = package.Credits,
                AmountCents = 0,
                Currency = package.Currency,
                Status = PurchaseStatus.Completed,
                Provider = "free",
                TransactionId = grant.TransactionId,
                CreatedAt = now.UtcDateTime,
                UpdatedAt = now.UtcDateTime,
                CompletedAt = now.UtcDateTime,
            }, ct).ConfigureAwait(false);
            return new FreePackageClaimResult { Granted = true, Credits = package.Credits, Balance = grant.Balance, TransactionId = grant.TransactionId };
        }, cancellationToken).ConfigureAwait(false);
    }

    public Task<bool> HasClaimedAsync(string userId, string packageId, CancellationToken cancellationToken = default)
    {
        CreditArguments.UserId(userId);
        var key = PackageKey(CreditArguments.Name(packageId, nameof(packageId)));
        return db.Set<CreditTransaction>().AsNoTracking().AnyAsync(t => t.UserId == userId && t.IdempotencyKey == key, cancellationToken);
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

    /// <summary>Inserts a row and stops tracking it, leaving whatever else the host tracks alone.</summary>
    private async Task InsertAsync(CreditPurchase purchase, CancellationToken cancellationToken)
    {
        db.Add(purchase);
        try
        {
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            db.Entry(purchase).State = EntityState.Detached;
        }
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

    [LoggerMessage(EventId = 1203, Level = LogLevel.Warning, Message = "No purchase has checkout session {SessionId}; nothing granted")]
    private partial void LogUnknownSession(string sessionId);
}
