namespace MediaForge.Credits.Expiry;

/// <summary>
/// Lots (<c>credit_grants</c>) and <c>credits.next_expiry_at</c>, their summary on the balance row (the soonest end of
/// a lot with credits left, <see cref="CreditGrant.NoExpiry"/> when none of them expires: null only without lots).
/// Spending them is <see cref="Categories.CreditBurn"/>'s. Every
/// change runs after the operation has updated (so locked) the user's <c>credits</c> row, so lot changes of one user are
/// serialized like their balance changes. Relational providers only.
/// </summary>
internal static class CreditLots
{
    /// <summary>The kind of the lapse rows' operation keys (<c>mf:expiry:{lot}:{remaining}</c>).</summary>
    private const string LapseKeyKind = "expiry";

    /// <summary>Records a granted lot and moves <c>next_expiry_at</c> earlier if it ends sooner (a lot that never expires sets <see cref="CreditGrant.NoExpiry"/>).</summary>
    public static async Task AddAsync(DbContext db, string userId, Guid transactionId, CreditLotPortion portion, DateTime now, CancellationToken cancellationToken)
    {
        if (!db.Database.IsRelational())
        {
            throw new NotSupportedException("Lots of expiring or categorized credits need a relational EF Core provider.");
        }

        var expiresAt = portion.ExpiresAt;
        var lot = new CreditGrant
        {
            Id = Guid.CreateVersion7(new DateTimeOffset(now, TimeSpan.Zero)),
            UserId = userId,
            TransactionId = transactionId,
            Amount = portion.Amount,
            Remaining = portion.Amount,
            ExpiresAt = expiresAt,
            Category = portion.Category,
            Priority = portion.Priority,
            CreatedAt = now,
        };
        await db.InsertDetachedAsync(lot, cancellationToken).ConfigureAwait(false);

        await db.Set<CreditAccount>().Where(a => a.UserId == userId)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.NextExpiryAt,
                a => a.NextExpiryAt == null || a.NextExpiryAt > expiresAt ? expiresAt : a.NextExpiryAt), cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>
    /// Removes the unconsumed remainder of the user's lapsed lots with one <see cref="CreditTransactionType.Expiration"/>
    /// row each, but never credits that active holds cover (those stay in the lot until the hold is captured, which
    /// consumes them, or ends, after which the next expiry run removes them).
    /// </summary>
    /// <returns>Credits removed.</returns>
    public static Task<long> ExpireLapsedAsync(DbContext db, string userId, DateTime now, CancellationToken cancellationToken) =>
        ExpireLapsedAsync(db, userId, now, endedByRollover: null, cancellationToken);

    /// <summary>
    /// As <see cref="ExpireLapsedAsync(DbContext, string, DateTime, CancellationToken)"/>; the rows of the lots in
    /// <paramref name="endedByRollover"/> (allowance lots a renewal ended early) say so in their metadata.
    /// </summary>
    /// <returns>Credits removed.</returns>
    public static async Task<long> ExpireLapsedAsync(DbContext db, string userId, DateTime now, IReadOnlyCollection<Guid>? endedByRollover,
        CancellationToken cancellationToken)
    {
        // Lock the balance row first: from here on nobody else changes this user's balance or lots.
        if (await db.Set<CreditAccount>().Where(a => a.UserId == userId)
                .ExecuteUpdateAsync(s => s.SetProperty(a => a.UpdatedAt, now), cancellationToken).ConfigureAwait(false) == 0)
        {
            return 0;
        }

        var account = await db.Set<CreditAccount>().AsNoTracking().Where(a => a.UserId == userId)
            .Select(a => new { a.Balance, a.Reserved }).FirstAsync(cancellationToken).ConfigureAwait(false);
        var lapsed = await db.Set<CreditGrant>().AsNoTracking()
            .Where(g => g.UserId == userId && g.Remaining > 0 && g.ExpiresAt <= now)
            .OrderBy(g => g.ExpiresAt).ThenBy(g => g.CreatedAt)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var balance = account.Balance;
        var headroom = account.Balance - account.Reserved;
        long removed = 0;
        var ledger = CreditLedger.For(db);
        foreach (var lot in lapsed)
        {
            var expire = Math.Min(lot.Remaining, headroom);
            if (expire <= 0)
            {
                break;
            }

            await db.Set<CreditGrant>().Where(g => g.Id == lot.Id)
                .ExecuteUpdateAsync(s => s.SetProperty(g => g.Remaining, g => g.Remaining - expire), cancellationToken).ConfigureAwait(false);
            await db.Set<CreditAccount>().Where(a => a.UserId == userId)
                .ExecuteUpdateAsync(s => s.SetProperty(a => a.Balance, a => a.Balance - expire), cancellationToken).ConfigureAwait(false);
            balance -= expire;
            headroom -= expire;
            removed += expire;
            await ledger.AppendAsync(new CreditTransaction
            {
                Id = Guid.CreateVersion7(new DateTimeOffset(now, TimeSpan.Zero)),
                UserId = userId,
                Amount = -expire,
                BalanceAfter = balance,
                Type = CreditTransactionType.Expiration,
                Description = endedByRollover?.Contains(lot.Id) == true ? $"{expire} allowance credits ended at renewal" : $"{expire} credits expired",
                Metadata = endedByRollover?.Contains(lot.Id) == true
                    ? CreditArguments.Metadata(new { lotId = lot.Id, grantedBy = lot.TransactionId, expiredAt = lot.ExpiresAt, endedBy = "rollover" })
                    : CreditArguments.Metadata(new { lotId = lot.Id, grantedBy = lot.TransactionId, expiredAt = lot.ExpiresAt }),
                IdempotencyKey = CreditOperationKeys.For(LapseKeyKind, $"{lot.Id}:{lot.Remaining}"),
                Reference = lot.TransactionId.ToString(),
                CreatedAt = now,
            }, null, cancellationToken).ConfigureAwait(false);
        }

        await RefreshNextExpiryAsync(db, userId, cancellationToken).ConfigureAwait(false);
        return removed;
    }

    /// <summary>Sets <c>next_expiry_at</c> to the soonest end among the user's lots with credits left (none: null).</summary>
    public static Task<int> RefreshNextExpiryAsync(DbContext db, string userId, CancellationToken cancellationToken) =>
        db.Set<CreditAccount>().Where(a => a.UserId == userId)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.NextExpiryAt,
                a => db.Set<CreditGrant>().Where(g => g.UserId == userId && g.Remaining > 0).Min(g => (DateTime?)g.ExpiresAt)), cancellationToken);
}

/// <summary>Credits of one category, priority and expiry date: granted into a lot, or taken out of a user's lots and rest.</summary>
/// <param name="Category">The category's name.</param>
/// <param name="Priority">Its priority.</param>
/// <param name="ExpiresAt">When those credits expire (UTC); <see cref="CreditGrant.NoExpiry"/> when never.</param>
/// <param name="Amount">How many.</param>
internal readonly record struct CreditLotPortion(string Category, int Priority, DateTime ExpiresAt, long Amount);
