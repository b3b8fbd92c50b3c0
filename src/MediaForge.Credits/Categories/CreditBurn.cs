using MediaForge.Credits.Expiry;

namespace MediaForge.Credits.Categories;

/// <summary>
/// The one burn rule of every debit: credits whose lot has lapsed (kept only because a hold covered them) first, then by
/// priority, then soonest expiry, then oldest (lot id on a tie); the account's rest (balance − Σ lot remaining: paid
/// credits without a lot) is a virtual lot with Paid's priority, no expiry, after the lots it ties with. Runs after the
/// operation has debited (so locked) the account's balance row. Relational providers only.
/// </summary>
internal static class CreditBurn
{
    /// <summary>
    /// Takes <paramref name="amount"/> credits that the account's balance row has just lost out of its lots by the burn rule.
    /// </summary>
    /// <returns>What was taken, per category, priority and expiry, in the order taken (the rest included).</returns>
    public static async Task<IReadOnlyList<CreditLotPortion>> ConsumeAsync(DbContext db, string userId, long amount, int restPriority, DateTime now,
        CancellationToken cancellationToken)
    {
        var lots = await LotsAsync(db, userId, cancellationToken).ConfigureAwait(false);
        var balanceAfter = await db.Set<CreditAccount>().AsNoTracking().Where(a => a.UserId == userId)
            .Select(a => a.Balance).FirstAsync(cancellationToken).ConfigureAwait(false);
        var sources = Order([.. lots, Rest(balanceAfter + amount, lots, restPriority)], now);
        return await TakeAsync(db, userId, sources, amount, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Takes <paramref name="amount"/> clawed-back credits of the grant <paramref name="grantTransactionId"/>: that grant's
    /// own credits first (its lot, or the rest when it got none), then by the burn rule.
    /// </summary>
    /// <param name="db">The context, inside the transaction that holds the account's balance row.</param>
    /// <param name="userId">The owner.</param>
    /// <param name="grantTransactionId">The ledger row of the reversed grant.</param>
    /// <param name="amount">Credits removed from the balance.</param>
    /// <param name="balance">The balance before the removal.</param>
    /// <param name="restPriority">Paid's priority.</param>
    /// <param name="now">The instant of the clawback.</param>
    /// <param name="cancellationToken">Cancels the statements.</param>
    public static async Task ConsumeClawbackAsync(DbContext db, string userId, Guid? grantTransactionId, long amount, long balance, int restPriority,
        DateTime now, CancellationToken cancellationToken)
    {
        var lots = await LotsAsync(db, userId, cancellationToken).ConfigureAwait(false);
        var rest = Rest(balance, lots, restPriority);
        var ordered = Order([.. lots, rest], now);
        var hasLot = grantTransactionId is { } grant
            && await db.Set<CreditGrant>().AnyAsync(g => g.TransactionId == grant, cancellationToken).ConfigureAwait(false);
        var own = hasLot ? ordered.Where(l => l.TransactionId == grantTransactionId).ToList() : [rest];
        await TakeAsync(db, userId, [.. own, .. ordered.Except(own)], amount, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The burn order of <paramref name="sources"/>. A lapsed lot sorts as priority 0, the lowest a category may have; on
    /// a tie the expiry puts it before any live lot, since it expired before now and a live lot expires after.
    /// </summary>
    public static List<BurnSource> Order(IEnumerable<BurnSource> sources, DateTime now) =>
        [.. sources.OrderBy(l => l.ExpiresAt <= now ? 0 : l.Priority)
            .ThenBy(l => l.ExpiresAt)
            .ThenBy(l => l.CreatedAt)
            .ThenBy(l => l.Id)];

    private static BurnSource Rest(long balance, List<BurnSource> lots, int restPriority) =>
        new(Guid.Empty, null, Math.Max(0, balance - lots.Sum(l => l.Remaining)), CreditCategory.Paid.Name, restPriority, CreditGrant.NoExpiry, DateTime.MaxValue);

    private static Task<List<BurnSource>> LotsAsync(DbContext db, string userId, CancellationToken cancellationToken)
    {
        var lots = db.Set<CreditGrant>().AsNoTracking().Where(g => g.UserId == userId);
        // Stryker disable once Equality : a lot with nothing left gives nothing (TakeAsync skips a take of 0); the filter saves rows
        lots = lots.Where(g => g.Remaining > 0);
        return lots.Select(g => new BurnSource(g.Id, g.TransactionId, g.Remaining, g.Category, g.Priority, g.ExpiresAt, g.CreatedAt))
            .ToListAsync(cancellationToken);
    }

    private static async Task<IReadOnlyList<CreditLotPortion>> TakeAsync(DbContext db, string userId, IReadOnlyList<BurnSource> sources, long amount,
        CancellationToken cancellationToken)
    {
        var taken = new List<CreditLotPortion>();
        // Stryker disable once Boolean : true only refreshes the next expiry when no lot changed, which writes what is there already
        var lotsChanged = false;
        foreach (var source in sources)
        {
            var take = Math.Min(source.Remaining, amount);
            if (take <= 0)
            {
                continue;
            }

            if (source.TransactionId is not null)
            {
                await db.Set<CreditGrant>().Where(g => g.Id == source.Id)
                    .ExecuteUpdateAsync(s => s.SetProperty(g => g.Remaining, g => g.Remaining - take), cancellationToken).ConfigureAwait(false);
                lotsChanged = true;
            }

            amount -= take;
            var portion = new CreditLotPortion(source.Category, source.Priority, source.ExpiresAt, take);
            if (taken.Count > 0 && taken[^1] with { Amount = 0 } == portion with { Amount = 0 })
            {
                taken[^1] = taken[^1] with { Amount = taken[^1].Amount + take };
            }
            else
            {
                taken.Add(portion);
            }
        }

        if (lotsChanged)
        {
            await CreditLots.RefreshNextExpiryAsync(db, userId, cancellationToken).ConfigureAwait(false);
        }

        return taken;
    }
}

/// <summary>Credits one debit may take: a lot, or the account's rest (<see cref="TransactionId"/> null).</summary>
internal sealed record BurnSource(Guid Id, Guid? TransactionId, long Remaining, string Category, int Priority, DateTime ExpiresAt, DateTime CreatedAt);
