namespace MediaForge.Credits.TopUps;

/// <summary>
/// Creates a top-up in the transaction of the debit that crossed a wallet's threshold (balance before at or above it,
/// after below it: every debit of a wallet is serialized on its balance row, so one debit per descent). The month's cap
/// is checked and counted by the same conditional <c>UPDATE</c> of the wallet's settings row, so concurrent crossings
/// in any number of processes never pass it. The deduction path pays nothing when the balance left is at or above the
/// highest threshold of any wallet with auto top-up on, which this process caches
/// (<see cref="CreditAutoTopUpOptions.SettingsCacheDuration"/>): no statement at all for wallets without auto top-up
/// as long as no wallet has one, and one cheap read per cache period otherwise.
/// </summary>
internal sealed class CreditTopUpTriggers(IOptions<CreditsOptions> options)
{
    private volatile CachedThreshold? cached;

    /// <summary>After a debit of <paramref name="debited"/> left <paramref name="balance"/> on <paramref name="walletId"/>, in the debit's transaction.</summary>
    /// <returns>The top-up created, if this debit crossed the wallet's threshold within the month's cap.</returns>
    public async Task<Guid?> AfterDebitAsync(DbContext db, string walletId, long balance, long debited, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // Stryker disable once Equality,Block : equivalent: after a debit of 0 (a split capture's untouched side) no threshold lies in (balance, balance + 0], so the UPDATE below counts nothing; the check only saves the statements
        if (debited <= 0)
        {
            return null;
        }

        if (balance >= await HighestThresholdAsync(db, now, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        var (at, month) = (now.UtcDateTime, MonthOf(now));
        var before = balance + debited;
        var counted = await db.Set<CreditAutoTopUpRow>()
            .Where(s => s.WalletId == walletId && s.Enabled && s.PausedAt == null && s.PaymentMethodId != null && s.CustomerId != null
                && s.Threshold > balance && s.Threshold <= before
                && (s.MonthStart == month
                    ? s.MonthCount < s.MaxPerMonth && s.MonthAmountCents + s.PriceCents <= s.MaxAmountPerMonthCents
                    : s.MaxPerMonth >= 1 && s.PriceCents <= s.MaxAmountPerMonthCents))
            .ExecuteUpdateAsync(u => u
                .SetProperty(s => s.MonthCount, s => s.MonthStart == month ? s.MonthCount + 1 : 1)
                .SetProperty(s => s.MonthAmountCents, s => s.MonthStart == month ? s.MonthAmountCents + s.PriceCents : s.PriceCents)
                .SetProperty(s => s.MonthStart, month)
                .SetProperty(s => s.UpdatedAt, at), cancellationToken).ConfigureAwait(false);
        if (counted == 0)
        {
            return null;
        }

        var settings = await db.Set<CreditAutoTopUpRow>().AsNoTracking().SingleAsync(s => s.WalletId == walletId, cancellationToken).ConfigureAwait(false);
        var topUp = new CreditTopUpRow
        {
            Id = Guid.CreateVersion7(now),
            WalletId = walletId,
            PackageId = settings.PackageId,
            Credits = settings.Credits,
            AmountCents = settings.PriceCents,
            Currency = settings.Currency,
            CustomerId = settings.CustomerId!,
            PaymentMethodId = settings.PaymentMethodId!,
            Status = CreditTopUpStatus.Pending,
            NextAttemptAt = at,
            MonthStart = month,
            CreatedAt = at,
            UpdatedAt = at,
        };
        await db.InsertDetachedAsync(topUp, cancellationToken).ConfigureAwait(false);
        return topUp.Id;
    }

    /// <summary>A wallet turned auto top-up on at <paramref name="threshold"/> in this process: seen at once here.</summary>
    public void Enabled(long threshold)
    {
        if (cached is { } current && current.Highest < threshold)
        {
            cached = current with { Highest = threshold };
        }
    }

    /// <summary>The first day (UTC) of <paramref name="now"/>'s calendar month: the cap's period.</summary>
    public static DateTime MonthOf(DateTimeOffset now) => new(now.UtcDateTime.Year, now.UtcDateTime.Month, 1, 0, 0, 0, DateTimeKind.Utc);

    private async ValueTask<long> HighestThresholdAsync(DbContext db, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (cached is { } current && current.Until > now)
        {
            return current.Highest;
        }

        var highest = await db.Set<CreditAutoTopUpRow>().Where(s => s.Enabled && s.PausedAt == null)
            .MaxAsync(s => (long?)s.Threshold, cancellationToken).ConfigureAwait(false) ?? 0;
        cached = new CachedThreshold(highest, now + options.Value.AutoTopUp.SettingsCacheDuration);
        return highest;
    }

    private sealed record CachedThreshold(long Highest, DateTimeOffset Until);
}
