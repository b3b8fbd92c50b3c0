using MediaForge.Credits.Teams;

namespace MediaForge.Credits.TopUps;

/// <summary>
/// A wallet's auto top-up settings: read, saved by its owner (a user's own wallet, or a team's by its owners and
/// admins), and the payment method saved from a checkout. Saving resumes a paused wallet and clears its failures;
/// the month's count and money stay (the cap is per calendar month, whatever the settings).
/// </summary>
internal sealed class CreditAutoTopUps(CreditsDbContextHandle handle, CreditTopUpTriggers triggers, TimeProvider time)
{
    /// <summary>The largest threshold, month count and money cap accepted.</summary>
    public const long MaxThreshold = 1_000_000_000, MaxAmountPerMonthCents = 100_000_000;

    /// <summary>The most top-ups a month may allow.</summary>
    public const int MaxPerMonthLimit = 100;

    private readonly DbContext db = handle.Context;

    /// <summary>The settings of <paramref name="walletId"/> (defaults when it has none).</summary>
    public async Task<CreditAutoTopUpSettings> ReadAsync(string walletId, CancellationToken cancellationToken)
    {
        var row = await db.Set<CreditAutoTopUpRow>().AsNoTracking().FirstOrDefaultAsync(s => s.WalletId == walletId, cancellationToken).ConfigureAwait(false);
        if (row is null)
        {
            return new CreditAutoTopUpSettings(walletId, false, 0, null, 0, 0, "usd", 0, 0, false, false, 0, 0, 0);
        }

        var thisMonth = row.MonthStart == CreditTopUpTriggers.MonthOf(time.GetUtcNow());
        return new CreditAutoTopUpSettings(walletId, row.Enabled, row.Threshold, row.PackageId.Length == 0 ? null : row.PackageId, row.Credits, row.PriceCents,
            row.Currency, row.MaxPerMonth, row.MaxAmountPerMonthCents, row.PaymentMethodId is not null, row.PausedAt is not null, row.ConsecutiveFailures,
            thisMonth ? row.MonthCount : 0, thisMonth ? row.MonthAmountCents : 0);
    }

    /// <summary>Whether <paramref name="actorId"/> may see and change the settings of <paramref name="teamId"/>'s wallet.</summary>
    public async Task<CreditAutoTopUpError> CheckTeamAsync(string actorId, string teamId, CancellationToken cancellationToken)
    {
        var role = await (from m in db.Set<CreditTeamMemberRow>()
                          join t in db.Set<CreditTeamRow>() on m.TeamId equals t.Id
                          where m.TeamId == teamId && m.UserId == actorId && m.RemovedAt == null && t.Status == CreditTeamStatus.Active
                          select (CreditTeamRole?)m.Role).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        return role switch
        {
            null => CreditAutoTopUpError.TeamNotFound,
            CreditTeamRole.Member => CreditAutoTopUpError.Forbidden,
            _ => CreditAutoTopUpError.None,
        };
    }

    /// <summary>Saves <paramref name="change"/> for <paramref name="walletId"/> (bounds are the caller's: see the constants).</summary>
    public async Task<CreditAutoTopUpError> SaveAsync(string walletId, CreditAutoTopUpChange change, CancellationToken cancellationToken)
    {
        var package = await db.Set<CreditPackage>().AsNoTracking()
            .FirstOrDefaultAsync(p => p.Id == change.PackageId && p.IsActive && !p.IsFree && p.PriceCents > 0, cancellationToken).ConfigureAwait(false);
        if (package is null)
        {
            return CreditAutoTopUpError.PackageNotFound;
        }

        if (package.PriceCents > change.MaxAmountPerMonthCents)
        {
            return CreditAutoTopUpError.CapBelowPrice;
        }

        var now = time.GetUtcNow().UtcDateTime;
        var updated = await db.Set<CreditAutoTopUpRow>().Where(s => s.WalletId == walletId).ExecuteUpdateAsync(u => u
            .SetProperty(s => s.Enabled, change.Enabled)
            .SetProperty(s => s.Threshold, change.Threshold)
            .SetProperty(s => s.PackageId, package.Id)
            .SetProperty(s => s.Credits, package.Credits)
            .SetProperty(s => s.PriceCents, package.PriceCents)
            .SetProperty(s => s.Currency, package.Currency.ToLowerInvariant())
            .SetProperty(s => s.MaxPerMonth, change.MaxPerMonth)
            .SetProperty(s => s.MaxAmountPerMonthCents, change.MaxAmountPerMonthCents)
            .SetProperty(s => s.ConsecutiveFailures, 0)
            .SetProperty(s => s.PausedAt, (DateTime?)null)
            .SetProperty(s => s.UpdatedAt, now), cancellationToken).ConfigureAwait(false);
        if (updated == 0)
        {
            await InsertOrRetryAsync(new CreditAutoTopUpRow
            {
                WalletId = walletId, Enabled = change.Enabled, Threshold = change.Threshold, PackageId = package.Id, Credits = package.Credits,
                PriceCents = package.PriceCents, Currency = package.Currency.ToLowerInvariant(), MaxPerMonth = change.MaxPerMonth,
                MaxAmountPerMonthCents = change.MaxAmountPerMonthCents, MonthStart = CreditTopUpTriggers.MonthOf(time.GetUtcNow()), CreatedAt = now, UpdatedAt = now,
            }, () => SaveAsync(walletId, change, cancellationToken), cancellationToken).ConfigureAwait(false);
        }

        if (change.Enabled)
        {
            triggers.Enabled(change.Threshold);
        }

        return CreditAutoTopUpError.None;
    }

    /// <summary>Keeps the payment method a checkout saved for off-session charges (the wallet's settings stay as they were).</summary>
    public async Task SavePaymentMethodAsync(string walletId, string customerId, string paymentMethodId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        if (await db.Set<CreditAutoTopUpRow>().Where(s => s.WalletId == walletId).ExecuteUpdateAsync(u => u
                .SetProperty(s => s.CustomerId, customerId).SetProperty(s => s.PaymentMethodId, paymentMethodId).SetProperty(s => s.UpdatedAt, now),
                cancellationToken).ConfigureAwait(false) == 0)
        {
            await InsertOrRetryAsync(new CreditAutoTopUpRow
            {
                WalletId = walletId, CustomerId = customerId, PaymentMethodId = paymentMethodId,
                MonthStart = CreditTopUpTriggers.MonthOf(time.GetUtcNow()), CreatedAt = now, UpdatedAt = now,
            }, () => SavePaymentMethodAsync(walletId, customerId, paymentMethodId, cancellationToken), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Inserts the wallet's first row; when a racing save inserted it first, applies the change to that row instead. In
    /// the caller's transaction (the webhook saves a card inside its event's) the failed insert is undone by rolling back
    /// to the savepoint EF Core takes for it, and the transaction goes on.
    /// </summary>
    private async Task InsertOrRetryAsync(CreditAutoTopUpRow row, Func<Task> again, CancellationToken cancellationToken)
    {
        try
        {
            await db.InsertDetachedAsync(row, cancellationToken).ConfigureAwait(false);
        }
        catch (DbUpdateException)
        {
            await again().ConfigureAwait(false);
        }
    }
}
