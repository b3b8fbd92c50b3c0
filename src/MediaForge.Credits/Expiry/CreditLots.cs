namespace MediaForge.Credits.Expiry;

/// <summary>
/// Expiring lots (<c>credit_grants</c>) and <c>credits.next_expiry_at</c>, their summary on the balance row. Every
/// change runs after the operation has updated (so locked) the user's <c>credits</c> row, so lot changes of one user are
/// serialized like their balance changes. Relational providers only.
/// </summary>
internal static class CreditLots
{
    /// <summary>The kind of the lapse rows' operation keys (<c>mf:expiry:{lot}:{remaining}</c>).</summary>
    private const string LapseKeyKind = "expiry";

    /// <summary>Records a granted lot and moves <c>next_expiry_at</c> earlier if it expires sooner.</summary>
    public static async Task AddAsync(DbContext db, string userId, Guid transactionId, long amount, DateTime expiresAt, DateTime now, CancellationToken cancellationToken)
    {
        if (!db.Database.IsRelational())
        {
            throw new NotSupportedException("Expiring credits need a relational EF Core provider.");
        }

        var lot = new CreditGrant
        {
            Id = Guid.CreateVersion7(new DateTimeOffset(now, TimeSpan.Zero)),
            UserId = userId,
            TransactionId = transactionId,
            Amount = amount,
            Remaining = amount,
            ExpiresAt = expiresAt,
            CreatedAt = now,
        };
        await db.InsertDetachedAsync(lot, cancellationToken).ConfigureAwait(false);

        await db.Set<CreditAccount>().Where(a => a.UserId == userId)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.NextExpiryAt,
                a => a.NextExpiryAt == null || a.NextExpiryAt > expiresAt ? expiresAt : a.NextExpiryAt), cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>Takes <paramref name="amount"/> spent credits out of the lots, soonest-expiring first; the rest came from credits that never expire.</summary>
    /// <returns>What was taken from lots, per expiry date, soonest first (nothing: the credits never expire).</returns>
    public static async Task<IReadOnlyList<CreditLotPortion>> ConsumeAsync(DbContext db, string userId, long amount, CancellationToken cancellationToken)
    {
        var lots = await LotsAsync(db, userId, cancellationToken).ConfigureAwait(false);
        return await TakeAsync(db, userId, lots, amount, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Takes <paramref name="amount"/> clawed-back credits of the grant <paramref name="grantTransactionId"/> out of the
    /// lots: that grant's own credits first (its lot, or, if its credits never expire, the credits without a lot), then
    /// the rest like a deduction. Other grants' lots keep their expiry as long as the reversed grant's credits last.
    /// </summary>
    /// <param name="db">The context, inside the transaction that holds the user's balance row.</param>
    /// <param name="userId">The owner.</param>
    /// <param name="grantTransactionId">The ledger row of the reversed grant.</param>
    /// <param name="amount">Credits removed from the balance.</param>
    /// <param name="balance">The balance before the removal.</param>
    /// <param name="cancellationToken">Cancels the statements.</param>
    public static async Task ConsumeClawbackAsync(DbContext db, string userId, Guid? grantTransactionId, long amount, long balance, CancellationToken cancellationToken)
    {
        var lots = await LotsAsync(db, userId, cancellationToken).ConfigureAwait(false);
        var own = lots.Where(l => l.TransactionId == grantTransactionId).ToList();
        if (own.Count == 0)
        {
            var withoutLot = Math.Max(0, balance - lots.Sum(l => l.Remaining));
            amount -= Math.Min(amount, withoutLot);
        }

        await TakeAsync(db, userId, [.. own, .. lots.Where(l => l.TransactionId != grantTransactionId)], amount, cancellationToken).ConfigureAwait(false);
    }

    private static Task<List<Lot>> LotsAsync(DbContext db, string userId, CancellationToken cancellationToken) =>
        db.Set<CreditGrant>().AsNoTracking()
            .Where(g => g.UserId == userId && g.Remaining > 0)
            .OrderBy(g => g.ExpiresAt).ThenBy(g => g.CreatedAt)
            .Select(g => new Lot(g.Id, g.TransactionId, g.Remaining, g.ExpiresAt))
            .ToListAsync(cancellationToken);

    private static async Task<IReadOnlyList<CreditLotPortion>> TakeAsync(DbContext db, string userId, IReadOnlyList<Lot> lots, long amount,
        CancellationToken cancellationToken)
    {
        var taken = new List<CreditLotPortion>();
        foreach (var lot in lots)
        {
            if (amount <= 0)
            {
                break;
            }

            var take = Math.Min(lot.Remaining, amount);
            await db.Set<CreditGrant>().Where(g => g.Id == lot.Id)
                .ExecuteUpdateAsync(s => s.SetProperty(g => g.Remaining, g => g.Remaining - take), cancellationToken).ConfigureAwait(false);
            amount -= take;
            if (taken.Count > 0 && taken[^1].ExpiresAt == lot.ExpiresAt)
            {
                taken[^1] = taken[^1] with { Amount = taken[^1].Amount + take };
            }
            else
            {
                taken.Add(new CreditLotPortion(lot.ExpiresAt, take));
            }
        }

        await RefreshNextExpiryAsync(db, userId, cancellationToken).ConfigureAwait(false);
        return taken;
    }

    /// <summary>
    /// Removes the unconsumed remainder of the user's lapsed lots with one <see cref="CreditTransactionType.Expiration"/>
    /// row each, but never credits that active holds cover (those stay in the lot until the hold is captured, which
    /// consumes them, or ends, after which the next expiry run removes them).
    /// </summary>
    /// <returns>Credits removed.</returns>
    public static async Task<long> ExpireLapsedAsync(DbContext db, string userId, DateTime now, CancellationToken cancellationToken)
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
                Description = $"{expire} credits expired",
                Metadata = CreditArguments.Metadata(new { lotId = lot.Id, grantedBy = lot.TransactionId, expiredAt = lot.ExpiresAt }),
                IdempotencyKey = CreditOperationKeys.For(LapseKeyKind, $"{lot.Id}:{lot.Remaining}"),
                Reference = lot.TransactionId.ToString(),
                CreatedAt = now,
            }, null, cancellationToken).ConfigureAwait(false);
        }

        await RefreshNextExpiryAsync(db, userId, cancellationToken).ConfigureAwait(false);
        return removed;
    }

    private static Task<int> RefreshNextExpiryAsync(DbContext db, string userId, CancellationToken cancellationToken) =>
        db.Set<CreditAccount>().Where(a => a.UserId == userId)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.NextExpiryAt,
                a => db.Set<CreditGrant>().Where(g => g.UserId == userId && g.Remaining > 0).Min(g => (DateTime?)g.ExpiresAt)), cancellationToken);

    private sealed record Lot(Guid Id, Guid TransactionId, long Remaining, DateTime ExpiresAt);
}

/// <summary>Credits taken out of a user's lots that share one expiry date.</summary>
/// <param name="ExpiresAt">When those credits expire (UTC).</param>
/// <param name="Amount">How many were taken.</param>
internal readonly record struct CreditLotPortion(DateTime ExpiresAt, long Amount);
