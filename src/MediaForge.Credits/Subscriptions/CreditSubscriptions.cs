namespace MediaForge.Credits.Subscriptions;

/// <summary>
/// Applies a payment provider's subscription events: each in one transaction that first locks (or creates) the
/// subscription's row, so the events of one subscription apply one at a time whatever their order and repetition.
/// State (status, plan, period) follows the newest event applied; allowances go through <see cref="CreditSubscriptionGrants"/>.
/// </summary>
internal sealed partial class CreditSubscriptions(
    CreditsDbContextHandle handle,
    CreditService credits,
    CreditSubscriptionGrants grants,
    IOptions<CreditsOptions> options,
    TimeProvider time,
    ILogger<CreditSubscriptions> logger)
{
    private readonly DbContext db = handle.Context;

    /// <summary>The plans new subscriptions may start, in display order.</summary>
    public Task<List<CreditPlan>> GetPlansAsync(CancellationToken cancellationToken) =>
        db.Set<CreditPlan>().AsNoTracking().Where(p => p.IsActive).OrderBy(p => p.SortOrder).ThenBy(p => p.Id).ToListAsync(cancellationToken);

    /// <summary><c>invoice.paid</c>: each period the invoice covers is paid and owed its plan's allowance (or trial allowance).</summary>
    /// <returns>The outcome, for the webhook's record.</returns>
    public Task<string> ApplyInvoicePaidAsync(CreditSubscriptionInvoice invoice, CancellationToken cancellationToken) =>
        CreditTransactions.RunAsync(db, async ct =>
        {
            var plans = await PlansByPriceAsync(invoice.Lines.Select(l => l.PriceId), ct).ConfigureAwait(false);
            var lines = invoice.Lines.Where(l => plans.ContainsKey(l.PriceId) && l.PeriodEnd > l.PeriodStart).ToList();
            if (lines.Count == 0)
            {
                return "ignored_no_plan";
            }

            if (invoice.IsPlanChange && options.Value.Subscriptions.UpgradePolicy == CreditPlanUpgradePolicy.AtRenewal)
            {
                return "plan_change_applies_at_renewal";
            }

            var latest = lines.MaxBy(l => l.PeriodEnd);
            var now = time.GetUtcNow().UtcDateTime;
            var row = await LockAsync(invoice.SubscriptionId, invoice.UserId, invoice.CustomerId, plans[latest.PriceId], now, ct).ConfigureAwait(false);
            if (invoice.EventCreated >= row.SourceVersion && row.Status is CreditSubscriptionStatus.PastDue or CreditSubscriptionStatus.Incomplete)
            {
                row.Status = CreditSubscriptionStatus.Active;
                await SetStateAsync(row, invoice.EventCreated, now, ct).ConfigureAwait(false);
            }

            if (row.CurrentPeriodEnd is not { } known || latest.PeriodEnd > known)
            {
                // A renewal paid before the subscription's own update: the period shown moves on (state version unchanged).
                row.CurrentPeriodStart = latest.PeriodStart;
                row.CurrentPeriodEnd = latest.PeriodEnd;
                await SetStateAsync(row, row.SourceVersion, now, ct).ConfigureAwait(false);
            }

            long granted = 0;
            foreach (var period in lines.GroupBy(l => l.PeriodEnd))
            {
                var best = period.Select(l => (Line: l, Plan: plans[l.PriceId], Credits: invoice.IsTrial(l) ? plans[l.PriceId].TrialCredits ?? 0 : plans[l.PriceId].CreditsPerPeriod))
                    .MaxBy(c => c.Credits);
                granted += await grants.SettlePeriodAsync(row, best.Plan, period.Min(l => l.PeriodStart), period.Key, best.Credits, paid: true, now, ct).ConfigureAwait(false);
            }

            return granted > 0 ? $"granted: {granted}" : "nothing_owed";
        }, cancellationToken);

    /// <summary><c>invoice.payment_failed</c>: nothing is granted; the subscription is past due unless a newer state says otherwise.</summary>
    public Task<string> ApplyPaymentFailedAsync(string subscriptionId, long eventCreated, CancellationToken cancellationToken) =>
        CreditTransactions.RunAsync(db, async ct =>
        {
            var now = time.GetUtcNow().UtcDateTime;
            if (await TouchAsync(subscriptionId, now, ct).ConfigureAwait(false) is not { } row)
            {
                return "unknown_subscription";
            }

            if (eventCreated < row.SourceVersion || row.Status == CreditSubscriptionStatus.Canceled)
            {
                return "stale";
            }

            row.Status = CreditSubscriptionStatus.PastDue;
            await SetStateAsync(row, eventCreated, now, ct).ConfigureAwait(false);
            LogPastDue(subscriptionId, row.UserId);
            return "past_due";
        }, cancellationToken);

    /// <summary>
    /// <c>customer.subscription.created/updated/deleted</c>: the newest state wins (a deletion is final); under
    /// <see cref="CreditPlanUpgradePolicy.GrantDifference"/> a larger plan raises what the current period is owed.
    /// </summary>
    public Task<string> ApplyStateAsync(CreditSubscriptionState state, CancellationToken cancellationToken) =>
        CreditTransactions.RunAsync(db, async ct =>
        {
            var plan = state.PriceId is null ? null : (await PlansByPriceAsync([state.PriceId], ct).ConfigureAwait(false)).GetValueOrDefault(state.PriceId);
            var now = time.GetUtcNow().UtcDateTime;
            var row = plan is null
                ? await TouchAsync(state.SubscriptionId, now, ct).ConfigureAwait(false)
                : await LockAsync(state.SubscriptionId, state.UserId, state.CustomerId, plan, now, ct).ConfigureAwait(false);
            if (row is null)
            {
                return "ignored_no_plan";
            }

            var outcome = "stale";
            var afterEnd = row.Status == CreditSubscriptionStatus.Canceled && state.EventCreated >= row.SourceVersion;
            if (state.EventCreated >= row.SourceVersion && row.Status != CreditSubscriptionStatus.Canceled)
            {
                row.Status = state.Status;
                row.PlanId = plan?.Id ?? row.PlanId;
                row.CurrentPeriodStart = state.PeriodStart ?? row.CurrentPeriodStart;
                row.CurrentPeriodEnd = state.PeriodEnd ?? row.CurrentPeriodEnd;
                row.EndedAt = state.Status == CreditSubscriptionStatus.Canceled ? state.EndedAt ?? now : null;
                await SetStateAsync(row, state.EventCreated, now, ct).ConfigureAwait(false);
                outcome = state.Status.ToString().ToLowerInvariant();
            }

            if (plan is not null && !afterEnd && state is { PeriodStart: { } start, PeriodEnd: { } end, Status: CreditSubscriptionStatus.Active or CreditSubscriptionStatus.Trialing }
                && options.Value.Subscriptions.UpgradePolicy == CreditPlanUpgradePolicy.GrantDifference && end > start)
            {
                var target = state.Status == CreditSubscriptionStatus.Trialing ? plan.TrialCredits ?? 0 : plan.CreditsPerPeriod;
                var granted = await grants.SettlePeriodAsync(row, plan, start, end, target, paid: false, now, ct).ConfigureAwait(false);
                outcome = granted > 0 ? $"{outcome}, granted: {granted}" : outcome;
            }

            return outcome;
        }, cancellationToken);

    /// <summary>The user's current subscription (the newest not canceled one, else the newest), or <see langword="null"/>.</summary>
    /// <param name="userId">The user.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <param name="hasSubscription">Whether the user has a subscription row, if a read of this request already said.</param>
    public async Task<CreditSubscriptionSummary?> GetSummaryAsync(string userId, CancellationToken cancellationToken, bool? hasSubscription = null)
    {
        // Most users have none: the balance read says so, or one built-once statement (on SQLite on a plain connection, as the balance read).
        // Stryker disable once Block : saves the query below, which finds no row for such a user and returns null as well
        if (!(hasSubscription ?? await CreditLedger.For(db).HasSubscriptionAsync(userId, cancellationToken).ConfigureAwait(false)))
        {
            return null;
        }

        var row = await db.Set<CreditSubscriptionRow>().AsNoTracking().Where(s => s.UserId == userId)
            .OrderBy(s => s.Status == CreditSubscriptionStatus.Canceled ? 1 : 0).ThenByDescending(s => s.UpdatedAt)
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        // Stryker disable once Block : unreachable guard: the balance read or HasSubscriptionAsync just found a row of this user, and subscription rows are never deleted
        if (row is null)
        {
            return null;
        }

        var plan = await db.Set<CreditPlan>().AsNoTracking().FirstOrDefaultAsync(p => p.Id == row.PlanId, cancellationToken).ConfigureAwait(false);
        var prefix = CreditSubscriptionGrants.KeyPrefix(row.Id);
        var now = time.GetUtcNow().UtcDateTime;
        var left = await (
                from lot in db.Set<CreditGrant>().AsNoTracking()
                join t in db.Set<CreditTransaction>().AsNoTracking() on lot.TransactionId equals t.Id
                where lot.UserId == userId && lot.Remaining > 0 && lot.ExpiresAt > now && t.UserId == userId && t.IdempotencyKey!.StartsWith(prefix)
                select (long?)lot.Remaining)
            .SumAsync(cancellationToken).ConfigureAwait(false) ?? 0;
        return new CreditSubscriptionSummary(row.PlanId, plan?.Name ?? row.PlanId, row.Status,
            row.CurrentPeriodEnd is { } end ? new DateTimeOffset(DateTime.SpecifyKind(end, DateTimeKind.Utc)) : null, plan?.CreditsPerPeriod ?? 0, left);
    }

    private async Task<Dictionary<string, CreditPlan>> PlansByPriceAsync(IEnumerable<string> priceIds, CancellationToken cancellationToken)
    {
        var ids = priceIds.Distinct(StringComparer.Ordinal).ToList();
        return await db.Set<CreditPlan>().AsNoTracking().Where(p => ids.Contains(p.StripePriceId))
            .ToDictionaryAsync(p => p.StripePriceId, StringComparer.Ordinal, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Locks the subscription's row, creating it first (for the user the event names) if it does not exist.</summary>
    private async Task<CreditSubscriptionRow> LockAsync(string subscriptionId, string? userId, string? customerId, CreditPlan plan, DateTime now,
        CancellationToken cancellationToken)
    {
        if (await TouchAsync(subscriptionId, now, cancellationToken).ConfigureAwait(false) is { } existing)
        {
            return existing;
        }

        if (userId is null)
        {
            throw new CreditSubscriptionUserUnknownException(subscriptionId);
        }

        await credits.EnsureAccountAsync(CreditArguments.UserId(userId), cancellationToken).ConfigureAwait(false);
        var row = new CreditSubscriptionRow
        {
            Id = subscriptionId, UserId = userId, CustomerId = customerId, PlanId = plan.Id, Status = CreditSubscriptionStatus.Incomplete,
            CreatedAt = now, UpdatedAt = now,
        };
        // A racing first event of the same subscription fails on the key; the webhook's transaction runs again and finds this row.
        await db.InsertDetachedAsync(row, cancellationToken).ConfigureAwait(false);
        return row;
    }

    /// <summary>Locks and reads the subscription's row, or <see langword="null"/> if it does not exist.</summary>
    private async Task<CreditSubscriptionRow?> TouchAsync(string subscriptionId, DateTime now, CancellationToken cancellationToken) =>
        await db.Set<CreditSubscriptionRow>().Where(s => s.Id == subscriptionId)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.UpdatedAt, now), cancellationToken).ConfigureAwait(false) == 0
            ? null
            : await db.Set<CreditSubscriptionRow>().AsNoTracking().FirstAsync(s => s.Id == subscriptionId, cancellationToken).ConfigureAwait(false);

    private Task<int> SetStateAsync(CreditSubscriptionRow row, long version, DateTime now, CancellationToken cancellationToken)
    {
        row.SourceVersion = version;
        return db.Set<CreditSubscriptionRow>().Where(s => s.Id == row.Id)
            .ExecuteUpdateAsync(s => s
                .SetProperty(r => r.Status, row.Status)
                .SetProperty(r => r.PlanId, row.PlanId)
                .SetProperty(r => r.CurrentPeriodStart, row.CurrentPeriodStart)
                .SetProperty(r => r.CurrentPeriodEnd, row.CurrentPeriodEnd)
                .SetProperty(r => r.EndedAt, row.EndedAt)
                .SetProperty(r => r.SourceVersion, version)
                .SetProperty(r => r.UpdatedAt, now), cancellationToken);
    }

    [LoggerMessage(EventId = 1802, Level = LogLevel.Warning, Message = "Subscription {SubscriptionId} of {UserId} is past due: a payment failed, nothing granted")]
    private partial void LogPastDue(string subscriptionId, string userId);
}
