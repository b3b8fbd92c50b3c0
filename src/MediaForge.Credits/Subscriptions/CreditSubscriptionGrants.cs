using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using MediaForge.Credits.Events;
using MediaForge.Credits.Expiry;

namespace MediaForge.Credits.Subscriptions;

/// <summary>
/// The one place a subscription's allowance is granted. A period's row says what it is owed (<c>target</c>, only ever
/// raised) and whether it is paid; once paid, <c>granted</c> is brought up to <c>target</c> by one grant keyed
/// <c>mf:subscription:{subscription}:{period end}:{target}</c>, as an expiring lot that ends with the period. The first
/// grant of a period also settles the rollover of the earlier periods' allowance. Every call runs under the
/// subscription's row lock, in the caller's transaction.
/// </summary>
internal sealed partial class CreditSubscriptionGrants(
    CreditsDbContextHandle handle,
    CreditService credits,
    IOptions<CreditsOptions> options,
    ILogger<CreditSubscriptionGrants> logger)
{
    private readonly DbContext db = handle.Context;

    /// <summary>The prefix of every allowance key of <paramref name="subscriptionId"/>.</summary>
    /// <remarks>An id longer than <see cref="MaxKeyedIdLength"/> is named by its SHA-256, so every key stays within the key length.</remarks>
    public static string KeyPrefix(string subscriptionId) => CreditOperationKeys.For("subscription",
        (subscriptionId.Length <= MaxKeyedIdLength ? subscriptionId : "sha256-" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(subscriptionId)))) + ":");

    /// <summary>The longest subscription id that appears in its keys as it is.</summary>
    internal const int MaxKeyedIdLength = 80;

    /// <summary>When the allowance of a period ending at <paramref name="periodEnd"/> expires under <paramref name="plan"/>.</summary>
    public DateTime AllowanceExpiry(CreditPlan plan, DateTime periodEnd) =>
        plan.RolloverPolicy == CreditRolloverPolicy.Rollover ? periodEnd + options.Value.Subscriptions.RenewalGrace : periodEnd;

    /// <summary>
    /// Raises the period's target to <paramref name="target"/> (never lowers it), marks it paid if <paramref name="paid"/>,
    /// and grants what a paid period is owed and was not granted yet.
    /// </summary>
    /// <returns>Credits granted now (0: nothing was owed).</returns>
    public async Task<long> SettlePeriodAsync(CreditSubscriptionRow subscription, CreditPlan plan, DateTime periodStart, DateTime periodEnd,
        long target, bool paid, DateTime now, CancellationToken cancellationToken)
    {
        var period = await db.Set<CreditSubscriptionPeriodRow>().AsNoTracking()
            .FirstOrDefaultAsync(p => p.SubscriptionId == subscription.Id && p.PeriodEnd == periodEnd, cancellationToken).ConfigureAwait(false);
        if (period is null)
        {
            period = new CreditSubscriptionPeriodRow
            {
                SubscriptionId = subscription.Id, PeriodEnd = periodEnd, PeriodStart = periodStart, PlanId = plan.Id, Target = target,
                Paid = paid, CreatedAt = now, UpdatedAt = now,
            };
            await db.InsertDetachedAsync(period, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            period.PlanId = target > period.Target ? plan.Id : period.PlanId;
            period.Target = Math.Max(period.Target, target);
            period.Paid |= paid;
            // Stryker disable once Equality : at equal starts both branches give the same start (`>` is killed by SubscriptionPeriodTests)
            period.PeriodStart = periodStart < period.PeriodStart ? periodStart : period.PeriodStart;
        }

        var expiresAt = AllowanceExpiry(plan, periodEnd);
        var owed = period.Paid && (subscription.EndedAt is not { } ended || period.PeriodStart < ended) && expiresAt > now
            ? period.Target - period.Granted
            : 0;
        if (owed > 0)
        {
            var key = KeyPrefix(subscription.Id) + Stamp(periodEnd) + ":" + period.Target.ToString(CultureInfo.InvariantCulture);
            var grant = await credits.GrantAsync(subscription.UserId, owed, CreditTransactionType.Subscription,
                $"{plan.Name} allowance until {periodEnd:yyyy-MM-dd}",
                CreditArguments.Metadata(new { subscriptionId = subscription.Id, planId = period.PlanId, periodStart = period.PeriodStart, periodEnd }),
                key, subscription.Id, cancellationToken, new DateTimeOffset(expiresAt, TimeSpan.Zero), CreditCategory.Allowance).ConfigureAwait(false);
            if (!grant.IsReplay)
            {
                if (period.Granted == 0)
                {
                    period.CarriedIn = await RollOverAsync(subscription, plan, periodEnd, plan.RolloverCap, now, cancellationToken).ConfigureAwait(false);
                    var at = new DateTimeOffset(now, TimeSpan.Zero);
                    await CreditEventOutbox.RaiseAsync(db, new SubscriptionRenewed
                    {
                        EventId = CreditEventOutbox.NewId(at), WalletId = subscription.UserId, OccurredAt = at,
                        SubscriptionId = subscription.Id, PlanId = period.PlanId, Credits = owed, PeriodEnd = new DateTimeOffset(periodEnd, TimeSpan.Zero),
                    }, cancellationToken).ConfigureAwait(false);
                }

                await RollIntoLaterPeriodAsync(subscription, plan, periodEnd, now, cancellationToken).ConfigureAwait(false);
            }

            period.Granted = period.Target;
            LogGranted(subscription.Id, subscription.UserId, periodEnd, owed, period.CarriedIn);
        }

        var (periodTarget, periodPaid, periodGranted, periodCarried, periodPlan, periodFrom) =
            (period.Target, period.Paid, period.Granted, period.CarriedIn, period.PlanId, period.PeriodStart);
        await db.Set<CreditSubscriptionPeriodRow>().Where(p => p.SubscriptionId == subscription.Id && p.PeriodEnd == periodEnd)
            .ExecuteUpdateAsync(s => s
                .SetProperty(p => p.Target, periodTarget)
                .SetProperty(p => p.Paid, periodPaid)
                .SetProperty(p => p.Granted, periodGranted)
                .SetProperty(p => p.CarriedIn, periodCarried)
                .SetProperty(p => p.PlanId, periodPlan)
                .SetProperty(p => p.PeriodStart, periodFrom)
                .SetProperty(p => p.UpdatedAt, now), cancellationToken).ConfigureAwait(false);
        return owed;
    }

    /// <summary>
    /// A period granted after a later one (its events came late): what it got rolls at once into the latest granted
    /// period, under what is left of that period's cap, as if it had come in order.
    /// </summary>
    private async Task RollIntoLaterPeriodAsync(CreditSubscriptionRow subscription, CreditPlan plan, DateTime periodEnd, DateTime now,
        CancellationToken cancellationToken)
    {
        var later = await db.Set<CreditSubscriptionPeriodRow>().AsNoTracking()
            .Where(p => p.SubscriptionId == subscription.Id && p.PeriodEnd > periodEnd && p.Granted > 0)
            .OrderByDescending(p => p.PeriodEnd).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        if (later is null)
        {
            return;
        }

        var capLeft = plan.RolloverCap is { } cap ? Math.Max(0, cap - later.CarriedIn) : (long?)null;
        var carried = await RollOverAsync(subscription, plan, later.PeriodEnd, capLeft, now, cancellationToken).ConfigureAwait(false);
        await db.Set<CreditSubscriptionPeriodRow>().Where(p => p.SubscriptionId == subscription.Id && p.PeriodEnd == later.PeriodEnd)
            .ExecuteUpdateAsync(s => s.SetProperty(p => p.CarriedIn, p => p.CarriedIn + carried), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Rolls the unspent allowance of the periods before <paramref name="intoPeriodEnd"/> into that period, up to
    /// <paramref name="cap"/> (nothing under <see cref="CreditRolloverPolicy.Expire"/>). The ledger says it in two
    /// steps: the carried credits are granted again as a lot of the period (key <c>…:{period end}:carry:{first lot}</c>),
    /// then the earlier lots end now, each with an expiration row marked <c>endedBy: rollover</c>. Granting first lets
    /// the expiry count the carried credits as headroom, so the result is that of moving them; what holds cover stays
    /// in the ended lots, as for any lapse. The balance row is locked (a grant just credited it), so the lots cannot
    /// change meanwhile.
    /// </summary>
    /// <returns>Credits carried.</returns>
    private async Task<long> RollOverAsync(CreditSubscriptionRow subscription, CreditPlan plan, DateTime intoPeriodEnd, long? cap, DateTime now,
        CancellationToken cancellationToken)
    {
        var prefix = KeyPrefix(subscription.Id);
        var intoKey = prefix + Stamp(intoPeriodEnd) + ":";
        var intoExpiry = AllowanceExpiry(plan, intoPeriodEnd);
        var userId = subscription.UserId;
        var earlier = await (
                from lot in db.Set<CreditGrant>().AsNoTracking()
                join row in db.Set<CreditTransaction>().AsNoTracking() on lot.TransactionId equals row.Id
                where lot.UserId == userId && lot.Remaining > 0 && lot.ExpiresAt > now && lot.ExpiresAt < intoExpiry
                    && row.UserId == userId && row.IdempotencyKey!.StartsWith(prefix) && !row.IdempotencyKey.StartsWith(intoKey)
                orderby lot.ExpiresAt, lot.CreatedAt, lot.Id
                select new { lot.Id, lot.Remaining })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        // Stryker disable once Block : saves the queries; with no lot to end, what follows only writes off lots already lapsed, as every balance read and the expiry sweep do
        if (earlier.Count == 0)
        {
            return 0;
        }

        var unused = earlier.Sum(l => l.Remaining);
        var carry = plan.RolloverPolicy == CreditRolloverPolicy.Rollover ? Math.Min(unused, cap ?? unused) : 0;
        if (carry > 0)
        {
            await credits.GrantAsync(userId, carry, CreditTransactionType.Subscription,
                $"{plan.Name} allowance carried into the period until {intoPeriodEnd:yyyy-MM-dd}",
                CreditArguments.Metadata(new { subscriptionId = subscription.Id, periodEnd = intoPeriodEnd, carried = carry, unused }),
                intoKey + "carry:" + earlier[0].Id.ToString("N"), subscription.Id, cancellationToken,
                new DateTimeOffset(intoExpiry, TimeSpan.Zero), CreditCategory.Allowance).ConfigureAwait(false);
        }

        var ended = earlier.Select(l => l.Id).ToList();
        await db.Set<CreditGrant>().Where(g => ended.Contains(g.Id))
            .ExecuteUpdateAsync(s => s.SetProperty(g => g.ExpiresAt, now), cancellationToken).ConfigureAwait(false);
        var removed = await CreditLots.ExpireLapsedAsync(db, userId, now, ended, lowBalanceThreshold: null, cancellationToken).ConfigureAwait(false);
        // Stryker disable once Equality : at removed == carry the net change is 0, for which AfterDebitAsync returns at once
        if (removed > carry)
        {
            // The renewal's net change decides the alert: the carried credits granted again and lapsed here are no crossing.
            var balance = await db.Set<CreditAccount>().AsNoTracking().Where(a => a.UserId == userId).Select(a => a.Balance)
                .FirstAsync(cancellationToken).ConfigureAwait(false);
            await Events.CreditBalanceAlerts.AfterDebitAsync(db, options.Value.Events.LowBalanceThreshold, userId, balance, removed - carry,
                new DateTimeOffset(now, TimeSpan.Zero), cancellationToken).ConfigureAwait(false);
        }

        return carry;
    }

    private static string Stamp(DateTime periodEnd) =>
        new DateTimeOffset(DateTime.SpecifyKind(periodEnd, DateTimeKind.Utc)).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    [LoggerMessage(EventId = 1801, Level = LogLevel.Information,
        Message = "Subscription {SubscriptionId} of {UserId}: {Credits} allowance credits granted for the period ending {PeriodEnd}, {Carried} carried over")]
    private partial void LogGranted(string subscriptionId, string userId, DateTime periodEnd, long credits, long carried);
}
