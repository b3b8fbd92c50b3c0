using System.Runtime.CompilerServices;

namespace MediaForge.Credits.Analytics;

/// <summary>
/// Each active user's charged uses and credits in a range (and credits before it, or bonus credits), read from the
/// accounts' usage counters and the running totals of the usage logs: a few index seeks per user, not a scan.
/// </summary>
internal sealed class CreditUserUsage(CreditsDbContextHandle handle)
{
    private readonly DbContext db = handle.Context;

    /// <summary>
    /// Each user's charged uses and credits in [from, to) and credits before <paramref name="from"/>, from the running
    /// totals, for the users whose latest charged use is at or after <paramref name="from"/> (the others used nothing in
    /// the range). A user's totals before a time are those of their last charged use before it: one index-only seek.
    /// Before <paramref name="to"/> they are the account's usage counters when no use at all is timed at or after
    /// <paramref name="to"/> (a range up to now: no seek), else one more seek; one statement, so counters and logs come
    /// from one snapshot. With <paramref name="withFree"/>, the user's bonus credits before <paramref name="to"/>
    /// instead of the uses (one covering-index read of the bonus rows).
    /// </summary>
    public async IAsyncEnumerable<UserUsage> UsagePerUserAsync(DateTime from, DateTime to, bool withFree,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var logs = db.Set<UsageLog>().AsNoTracking();
        var accounts = db.Set<CreditAccount>().AsNoTracking().Where(a => a.LastUsageAt >= from);
        if (withFree)
        {
            // The bonus rows before the range end, summed per user here first (the accounts are then streamed on the
            // same connection): a range read of the covering (type, created_at, user_id, amount) index (a GROUP BY
            // could tempt SQLite into the per-user index of all rows).
            var free = new Dictionary<string, long>(StringComparer.Ordinal);
            var bonuses = db.Set<CreditTransaction>().AsNoTracking()
                .Where(t => t.Type == CreditTransactionType.Bonus && t.Type != CreditTransactionType.Usage && t.CreatedAt < to)
                .Select(t => new { t.UserId, t.Amount })
                .AsAsyncEnumerable().WithCancellation(cancellationToken).ConfigureAwait(false);
            await foreach (var bonus in bonuses)
            {
                free[bonus.UserId] = free.GetValueOrDefault(bonus.UserId) + bonus.Amount;
            }

            // The split needs credits only (During > 0 ⇔ credits in the range).
            var credits = accounts.Select(a => new
                {
                    a.UserId,
                    // No use at or after the end, asked with max() for the reason given in GetUsageAsync.
                    CreditsTo = (logs.Max(l => (DateTime?)l.CreatedAt) ?? from) < to ? a.UsageCredits
                        : logs.Where(u => u.UserId == a.UserId && u.CreatedAt < to && u.CumulativeUses != null)
                            .OrderByDescending(u => u.CreatedAt).ThenByDescending(u => u.CumulativeUses).Select(u => u.CumulativeCredits).FirstOrDefault(),
                    // No use before the range start: no lookup (FirstUsageAt is the earliest charged use's time).
                    CreditsFrom = a.FirstUsageAt >= from ? 0L : logs.Where(u => u.UserId == a.UserId && u.CreatedAt < from && u.CumulativeUses != null)
                        .OrderByDescending(u => u.CreatedAt).ThenByDescending(u => u.CumulativeUses).Select(u => u.CumulativeCredits).FirstOrDefault(),
                })
                .AsAsyncEnumerable().WithCancellation(cancellationToken).ConfigureAwait(false);
            await foreach (var t in credits)
            {
                var before = t.CreditsFrom ?? 0;
                yield return new UserUsage(t.UserId, 0, (t.CreditsTo ?? 0) - before, before, free.GetValueOrDefault(t.UserId));
            }

            yield break;
        }

        // Top users need uses and credits: both from one seek per bound. A scalar subquery returns one value, so the
        // pair comes back as text ("uses credits") and is parsed here.
        var totals = accounts.Select(a => new
            {
                a.UserId,
                a.UsageCount,
                a.UsageCredits,
                To = (logs.Max(l => (DateTime?)l.CreatedAt) ?? from) < to ? null
                    : logs.Where(u => u.UserId == a.UserId && u.CreatedAt < to && u.CumulativeUses != null)
                        .OrderByDescending(u => u.CreatedAt).ThenByDescending(u => u.CumulativeUses)
                        .Select(u => u.CumulativeUses!.Value.ToString() + " " + u.CumulativeCredits!.Value.ToString()).FirstOrDefault() ?? "0 0",
                From = a.FirstUsageAt >= from ? null : logs.Where(u => u.UserId == a.UserId && u.CreatedAt < from && u.CumulativeUses != null)
                    .OrderByDescending(u => u.CreatedAt).ThenByDescending(u => u.CumulativeUses)
                    .Select(u => u.CumulativeUses!.Value.ToString() + " " + u.CumulativeCredits!.Value.ToString()).FirstOrDefault(),
            })
            .AsAsyncEnumerable().WithCancellation(cancellationToken).ConfigureAwait(false);
        await foreach (var t in totals)
        {
            var (usesTo, creditsTo) = t.To is null ? (t.UsageCount, t.UsageCredits) : Pair(t.To);
            var (usesFrom, creditsFrom) = t.From is null ? (0, 0) : Pair(t.From);
            yield return new UserUsage(t.UserId, usesTo - usesFrom, creditsTo - creditsFrom, creditsFrom, 0);
        }
    }

    private static (long Uses, long Credits) Pair(string totals)
    {
        var space = totals.IndexOf(' ', StringComparison.Ordinal);
        return (long.Parse(totals.AsSpan(0, space), System.Globalization.CultureInfo.InvariantCulture),
            long.Parse(totals.AsSpan(space + 1), System.Globalization.CultureInfo.InvariantCulture));
    }
}

/// <summary>One user's usage in a range (see <see cref="CreditUserUsage"/>).</summary>
internal readonly record struct UserUsage(string UserId, long Uses, long Credits, long CreditsBefore, long Free)
{
    /// <summary>Orders users from the last of a top-users list to the first (fewer credits, fewer uses, then the later id).</summary>
    public static readonly IComparer<UserUsage> WorstFirst = Comparer<UserUsage>.Create((a, b) =>
        a.Credits != b.Credits ? a.Credits.CompareTo(b.Credits)
        : a.Uses != b.Uses ? a.Uses.CompareTo(b.Uses)
        : string.CompareOrdinal(b.UserId, a.UserId));
}
