using MediaForge.Credits.Expiry;

namespace MediaForge.Credits.Ledger;

/// <summary>
/// Takes granted credits back (a refunded purchase, a lost dispute, a referral reward whose purchase was refunded) under
/// <see cref="CreditsOptions.ClawbackPolicy"/>: from the balance, held credits included, the reversed grant's own lot
/// first (or the credits without a lot when it got none), then by the burn rule (<see cref="Categories.CreditBurn"/>). The caller's transaction must hold the user's balance row.
/// </summary>
internal sealed class CreditClawbacks(CreditsDbContextHandle handle, IOptions<CreditsOptions> options)
{
    private readonly DbContext db = handle.Context;

    /// <summary>Removes up to <paramref name="amount"/> credits and writes one <see cref="CreditTransactionType.Refund"/> ledger row.</summary>
    /// <returns>Credits removed: all of <paramref name="amount"/>, or (clamping at zero) at most the balance.</returns>
    public async Task<long> RemoveAsync(string userId, Guid? grantTransactionId, long amount, string description, string? metadata,
        string? reference, DateTime now, CancellationToken cancellationToken)
    {
        var threshold = options.Value.Events.LowBalanceThreshold;
        await CreditLots.ExpireLapsedAsync(db, userId, now, threshold, cancellationToken).ConfigureAwait(false);
        var balance = await db.Set<CreditAccount>().AsNoTracking().Where(a => a.UserId == userId)
            .Select(a => a.Balance).FirstAsync(cancellationToken).ConfigureAwait(false);
        var take = options.Value.ClawbackPolicy == CreditClawbackPolicy.AllowNegativeBalance
            ? amount
            : Math.Min(amount, Math.Max(0, balance));
        if (take <= 0)
        {
            return 0;
        }

        await db.Set<CreditAccount>().Where(a => a.UserId == userId)
            .ExecuteUpdateAsync(u => u.SetProperty(a => a.Balance, a => a.Balance - take), cancellationToken).ConfigureAwait(false);
        await Categories.CreditBurn.ConsumeClawbackAsync(db, userId, grantTransactionId, take, balance, new Categories.CreditBurnOrder(options).RestPriority, now,
            cancellationToken).ConfigureAwait(false);
        await CreditLedger.For(db).AppendAsync(new CreditTransaction
        {
            Id = Guid.CreateVersion7(new DateTimeOffset(now, TimeSpan.Zero)),
            UserId = userId,
            Amount = -take,
            BalanceAfter = balance - take,
            Type = CreditTransactionType.Refund,
            Description = description,
            Metadata = metadata,
            Reference = reference,
            CreatedAt = now,
        }, null, cancellationToken).ConfigureAwait(false);
        await Events.CreditBalanceAlerts.AfterDebitAsync(db, threshold, userId, balance - take, take, new DateTimeOffset(now, TimeSpan.Zero), cancellationToken)
            .ConfigureAwait(false);
        return take;
    }
}
