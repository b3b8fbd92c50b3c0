namespace MediaForge.Credits.Purchases;

/// <summary>
/// Free packages: one claim per user (the grant's key <c>mf:package:{package id}</c>) and, when configured, one per
/// e-mail address (the free purchase row's session id), granted in the same transaction as the purchase row.
/// </summary>
internal sealed partial class CreditFreePackages(
    CreditsDbContextHandle handle,
    CreditService credits,
    IOptions<CreditsOptions> options,
    TimeProvider time,
    ILogger<CreditPurchaseService> logger)
{
    private readonly DbContext db = handle.Context;

    public async Task<FreePackageClaimResult> ClaimFreePackageAsync(string userId, string packageId, string? reference = null, CancellationToken cancellationToken = default)
    {
        CreditArguments.UserId(userId);
        var package = await CreditPackageRows.FindAsync(db, packageId, free: true, cancellationToken).ConfigureAwait(false);
        var key = CreditPackageRows.PackageKey(package.Id);
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
                LogEmailAlreadyClaimed(logger, userId, package.Id);
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

    public async Task<bool> HasClaimedAsync(string userId, string packageId, CancellationToken cancellationToken = default)
    {
        CreditArguments.UserId(userId);
        var id = CreditArguments.Name(packageId, nameof(packageId));
        var key = CreditPackageRows.PackageKey(id);
        return await db.Set<CreditTransaction>().AsNoTracking().AnyAsync(t => t.UserId == userId && t.IdempotencyKey == key, cancellationToken).ConfigureAwait(false)
            || await CreditPackageRows.BoughtAsync(db, userId, id, null, cancellationToken).ConfigureAwait(false);
    }

    [LoggerMessage(EventId = 1250, Level = LogLevel.Information, Message = "Free package {PackageId} not granted to {UserId}: another account with the same e-mail got it")]
    private static partial void LogEmailAlreadyClaimed(ILogger logger, string userId, string packageId);
}
