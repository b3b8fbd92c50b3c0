using MediaForge.Credits.Events;

namespace MediaForge.Credits.TopUps;

/// <summary>
/// A top-up's life after its trigger: claimed by a worker under a lease, its attempt charged (the payment intent
/// recorded), a failed attempt counted once (the worker's own answer and the <c>payment_intent.payment_failed</c>
/// webhook may both report it), and the grant when the payment intent succeeds, once per payment intent.
/// </summary>
internal sealed class CreditTopUpCharges(CreditsDbContextHandle handle, CreditGrants grants, IOptions<CreditsOptions> options, TimeProvider time)
{
    private const int MaxError = 500;

    private readonly DbContext db = handle.Context;

    /// <summary>
    /// Claims up to <paramref name="count"/> due top-ups for <paramref name="owner"/>, oldest first. On MySQL, outside a
    /// transaction of the host (as the worker calls it), it is run again when it meets the locks of deductions writing
    /// new top-ups (see <see cref="AsTheWorkerAsync{T}"/>).
    /// </summary>
    public Task<IReadOnlyList<CreditTopUpRow>> ClaimAsync(Guid owner, int count, CancellationToken cancellationToken) =>
        AsTheWorkerAsync(async ct =>
        {
            var now = time.GetUtcNow().UtcDateTime;
            var due = await Due(now).OrderBy(t => t.NextAttemptAt).Select(t => t.Id).Take(count).ToListAsync(ct).ConfigureAwait(false);
            // Stryker disable once Block : equivalent: with nothing due the lease update and the read find no row; the return saves the two statements
            if (due.Count == 0)
            {
                return (IReadOnlyList<CreditTopUpRow>)[];
            }

            var until = now + options.Value.AutoTopUp.LeaseDuration;
            await Due(now).Where(t => due.Contains(t.Id))
                .ExecuteUpdateAsync(u => u.SetProperty(t => t.LeaseOwner, owner).SetProperty(t => t.LeasedUntil, until), ct).ConfigureAwait(false);
            return await db.Set<CreditTopUpRow>().AsNoTracking()
                .Where(t => due.Contains(t.Id) && t.LeaseOwner == owner && t.Status == CreditTopUpStatus.Pending)
                .OrderBy(t => t.CreatedAt).ToListAsync(ct).ConfigureAwait(false);
        }, cancellationToken);

    /// <summary>
    /// The payment intent of a claimed top-up's attempt was created: the credits now wait for its success. Like the
    /// claim, run again on MySQL when it meets another transaction's lock.
    /// </summary>
    public Task<int> ChargingAsync(Guid id, Guid owner, string paymentIntentId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        return AsTheWorkerAsync(ct => db.Set<CreditTopUpRow>().Where(t => t.Id == id && t.LeaseOwner == owner && t.Status == CreditTopUpStatus.Pending)
            .ExecuteUpdateAsync(u => u.SetProperty(t => t.Status, CreditTopUpStatus.Charging).SetProperty(t => t.PaymentIntentId, paymentIntentId)
                .SetProperty(t => t.LeaseOwner, (Guid?)null).SetProperty(t => t.LeasedUntil, (DateTime?)null).SetProperty(t => t.UpdatedAt, now), ct), cancellationToken);
    }

    /// <summary>
    /// Gives a claimed top-up back without counting anything (the provider failed or could not be reached): due again
    /// after <see cref="CreditAutoTopUpOptions.RetryDelay"/>, with the same attempt, so the same idempotency key. Like the
    /// claim, run again on MySQL when it meets another transaction's lock.
    /// </summary>
    public Task ReleaseAsync(Guid id, Guid owner, string error, CancellationToken cancellationToken)
    {
        var next = time.GetUtcNow().UtcDateTime + options.Value.AutoTopUp.RetryDelay;
        var message = Bounded(error);
        return AsTheWorkerAsync(ct => db.Set<CreditTopUpRow>().Where(t => t.Id == id && t.LeaseOwner == owner && t.Status == CreditTopUpStatus.Pending)
            .ExecuteUpdateAsync(u => u.SetProperty(t => t.NextAttemptAt, next).SetProperty(t => t.LastError, message)
                .SetProperty(t => t.LeaseOwner, (Guid?)null).SetProperty(t => t.LeasedUntil, (DateTime?)null), ct), cancellationToken);
    }

    /// <summary>
    /// Attempt <paramref name="attempt"/> of top-up <paramref name="id"/> failed: counted once whoever reports it (and not
    /// at all once the top-up succeeded). The wallet's failures in a row grow; at
    /// <see cref="CreditAutoTopUpOptions.MaxConsecutiveFailures"/> its auto top-up pauses and the top-up is given up,
    /// else it is tried again after <see cref="CreditAutoTopUpOptions.RetryDelay"/>. <see cref="TopUpFailed"/> is raised
    /// for every counted failure, with <see cref="TopUpFailed.Paused"/> on the last.
    /// </summary>
    /// <returns>Whether this call counted it.</returns>
    public Task<bool> FailedAsync(Guid id, int attempt, string reason, string? paymentIntentId, CancellationToken cancellationToken) =>
        CreditTransactions.RunAsync(db, async ct =>
        {
            var now = time.GetUtcNow();
            var at = now.UtcDateTime;
            var message = Bounded(reason);
            if (await db.Set<CreditTopUpRow>().Where(t => t.Id == id && t.FailedAttempts == attempt - 1
                        && (t.Status == CreditTopUpStatus.Pending || t.Status == CreditTopUpStatus.Charging))
                    .ExecuteUpdateAsync(u => u.SetProperty(t => t.FailedAttempts, attempt).SetProperty(t => t.Status, CreditTopUpStatus.Pending)
                        .SetProperty(t => t.NextAttemptAt, at + options.Value.AutoTopUp.RetryDelay).SetProperty(t => t.LastError, message)
                        .SetProperty(t => t.PaymentIntentId, t => paymentIntentId ?? t.PaymentIntentId)
                        .SetProperty(t => t.LeaseOwner, (Guid?)null).SetProperty(t => t.LeasedUntil, (DateTime?)null).SetProperty(t => t.UpdatedAt, at), ct)
                    .ConfigureAwait(false) == 0)
            {
                return false;
            }

            var topUp = await db.Set<CreditTopUpRow>().AsNoTracking().SingleAsync(t => t.Id == id, ct).ConfigureAwait(false);
            var max = options.Value.AutoTopUp.MaxConsecutiveFailures;
            // The pause first: MySQL evaluates SET assignments left to right, each seeing the ones before it.
            await db.Set<CreditAutoTopUpRow>().Where(s => s.WalletId == topUp.WalletId).ExecuteUpdateAsync(u => u
                .SetProperty(s => s.PausedAt, s => s.PausedAt ?? (s.ConsecutiveFailures + 1 >= max ? (DateTime?)at : null))
                .SetProperty(s => s.ConsecutiveFailures, s => s.ConsecutiveFailures + 1)
                .SetProperty(s => s.UpdatedAt, at), ct).ConfigureAwait(false);
            var paused = await db.Set<CreditAutoTopUpRow>().AnyAsync(s => s.WalletId == topUp.WalletId && s.PausedAt != null, ct).ConfigureAwait(false);
            if (paused)
            {
                await db.Set<CreditTopUpRow>().Where(t => t.Id == id && t.Status == CreditTopUpStatus.Pending)
                    .ExecuteUpdateAsync(u => u.SetProperty(t => t.Status, CreditTopUpStatus.Failed), ct).ConfigureAwait(false);
            }

            await CreditEventOutbox.RaiseAsync(db, new TopUpFailed
            {
                EventId = CreditEventOutbox.NewId(now), WalletId = topUp.WalletId, OccurredAt = now, PackageId = topUp.PackageId,
                Reason = message, Paused = paused, TopUpId = id, Attempt = attempt,
            }, ct).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    /// <summary>
    /// A payment intent of top-up <paramref name="id"/> succeeded: grants its credits once per payment intent (ledger
    /// key <c>mf:top-up:{payment intent}</c>) when the amount and currency are the top-up's, records the payment as a
    /// completed purchase of the pack (so a refund or dispute of it takes the credits back like any purchase's, and
    /// revenue counts it), clears the wallet's failures and raises <see cref="TopUpSucceeded"/>. Runs in the webhook's
    /// transaction.
    /// </summary>
    public async Task<CreditTopUpOutcome> SucceededAsync(Guid id, string paymentIntentId, long amount, string currency, string provider,
        CancellationToken cancellationToken)
    {
        var topUp = await db.Set<CreditTopUpRow>().AsNoTracking().FirstOrDefaultAsync(t => t.Id == id, cancellationToken).ConfigureAwait(false);
        if (topUp is null)
        {
            return CreditTopUpOutcome.Unknown;
        }

        if (topUp.AmountCents != amount || !string.Equals(topUp.Currency, currency, StringComparison.OrdinalIgnoreCase))
        {
            return CreditTopUpOutcome.Mismatch;
        }

        var granted = await grants.GrantAsync(topUp.WalletId, topUp.Credits, CreditTransactionType.Purchase, $"Auto top-up: {topUp.PackageId}",
            CreditArguments.Metadata(new { topUpId = id, paymentIntentId }), CreditOperationKeys.For("top-up", paymentIntentId), paymentIntentId,
            cancellationToken).ConfigureAwait(false);
        if (granted.IsReplay)
        {
            return CreditTopUpOutcome.AlreadyGranted;
        }

        var now = time.GetUtcNow();
        var at = now.UtcDateTime;
        await db.InsertDetachedAsync(new CreditPurchase
        {
            // Its own id: two attempts' payment intents that both succeed (a 3-D Secure one completed late) are two purchases.
            Id = Guid.CreateVersion7(now), UserId = topUp.WalletId, PackageId = topUp.PackageId, Credits = topUp.Credits,
            AmountCents = topUp.AmountCents, Currency = topUp.Currency, Status = PurchaseStatus.Completed, Provider = provider,
            ProviderPaymentId = paymentIntentId, TransactionId = granted.TransactionId, CreatedAt = topUp.CreatedAt, UpdatedAt = at, CompletedAt = at,
        }, cancellationToken).ConfigureAwait(false);
        await db.Set<CreditTopUpRow>().Where(t => t.Id == id).ExecuteUpdateAsync(u => u.SetProperty(t => t.Status, CreditTopUpStatus.Succeeded)
            .SetProperty(t => t.PaymentIntentId, paymentIntentId).SetProperty(t => t.LeaseOwner, (Guid?)null).SetProperty(t => t.LeasedUntil, (DateTime?)null)
            .SetProperty(t => t.UpdatedAt, at), cancellationToken).ConfigureAwait(false);
        await db.Set<CreditAutoTopUpRow>().Where(s => s.WalletId == topUp.WalletId && s.ConsecutiveFailures > 0)
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.ConsecutiveFailures, 0).SetProperty(s => s.UpdatedAt, at), cancellationToken).ConfigureAwait(false);
        await CreditEventOutbox.RaiseAsync(db, new TopUpSucceeded
        {
            EventId = CreditEventOutbox.NewId(now), WalletId = topUp.WalletId, OccurredAt = now, PackageId = topUp.PackageId, Credits = topUp.Credits,
            AmountCents = topUp.AmountCents, Currency = topUp.Currency, TopUpId = id,
        }, cancellationToken).ConfigureAwait(false);
        return CreditTopUpOutcome.Granted;
    }

    private static string Bounded(string text) => text[..Math.Min(text.Length, MaxError)];

    /// <summary>
    /// The worker's own statements (claim, charging, release). On MySQL a retrying READ COMMITTED credit transaction: as
    /// autocommit statements under REPEATABLE READ the claim's range scan deadlocked against deductions inserting top-ups
    /// (1213) and was thrown at the worker. Elsewhere they run as they are: no deadlock to retry, and on SQLite a
    /// transaction would hold the one write lock across the claim's three statements (the benchmark's top-up cell fell
    /// from 0.35× to 0.06× of plain deductions).
    /// </summary>
    private Task<T> AsTheWorkerAsync<T>(Func<CancellationToken, Task<T>> operation, CancellationToken cancellationToken) =>
        CreditLedgerSchema.IsMySqlProvider(db.Database.ProviderName)
            ? CreditTransactions.RunAsync(db, operation, cancellationToken)
            : operation(cancellationToken);

    private IQueryable<CreditTopUpRow> Due(DateTime now) => db.Set<CreditTopUpRow>()
        .Where(t => t.Status == CreditTopUpStatus.Pending && t.NextAttemptAt <= now && (t.LeasedUntil == null || t.LeasedUntil <= now));
}

/// <summary>What a succeeded payment intent did.</summary>
internal enum CreditTopUpOutcome
{
    /// <summary>Its credits were granted now.</summary>
    Granted,

    /// <summary>They were granted before (a duplicate or retried delivery).</summary>
    AlreadyGranted,

    /// <summary>No such top-up.</summary>
    Unknown,

    /// <summary>The amount or currency paid is not the top-up's: nothing granted.</summary>
    Mismatch,
}
