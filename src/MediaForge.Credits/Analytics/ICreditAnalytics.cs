namespace MediaForge.Credits;

/// <summary>
/// Usage and revenue analytics over the ledger, for operators (the add-on serves them to admins). Every query is
/// portable LINQ (SQLite, PostgreSQL) and buckets series in UTC; the usage queries read the hourly roll-up and the
/// running totals the ledger keeps with every use, so they do not scan the rows of the range, and return the same
/// results as aggregating those rows.
/// Registered by <see cref="CreditsBuilder.UseEntityFrameworkCore{TContext}"/> (scoped).
/// </summary>
public interface ICreditAnalytics
{
    /// <summary>Uses and credits by feature and model, bucketed; consumption rate; unlimited (admin) uses apart.</summary>
    /// <param name="range">The time range and bucket width.</param>
    /// <param name="cancellationToken">Cancels the queries.</param>
    /// <returns>The report.</returns>
    Task<CreditUsageReport> GetUsageAsync(CreditAnalyticsRange range, CancellationToken cancellationToken = default);

    /// <summary>The users who consumed the most credits in the range (unlimited uses excluded), most first.</summary>
    /// <param name="range">The time range (the bucket is not used).</param>
    /// <param name="limit">How many users, 1 to 1000.</param>
    /// <param name="cancellationToken">Cancels the queries.</param>
    /// <returns>Up to <paramref name="limit"/> users.</returns>
    Task<IReadOnlyList<CreditTopUser>> GetTopUsersAsync(CreditAnalyticsRange range, int limit = 10, CancellationToken cancellationToken = default);

    /// <summary>Free versus paid credits consumed in the range (rule on <see cref="CreditConsumptionSplit"/>).</summary>
    /// <param name="range">The time range (the bucket is not used).</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The split.</returns>
    Task<CreditConsumptionSplit> GetConsumptionSplitAsync(CreditAnalyticsRange range, CancellationToken cancellationToken = default);

    /// <summary>Checkout conversion, failed / expired / refunded payments, revenue and package popularity.</summary>
    /// <param name="range">The time range and bucket width.</param>
    /// <param name="cancellationToken">Cancels the queries.</param>
    /// <returns>The report.</returns>
    Task<CreditPurchaseReport> GetPurchasesAsync(CreditAnalyticsRange range, CancellationToken cancellationToken = default);

    /// <summary>
    /// Streams every ledger row created in the range, oldest first, without loading them all (for CSV export). The
    /// rows are not tracked. Enumerate it while the scope that resolved this service is alive.
    /// </summary>
    /// <param name="range">The time range (the bucket is not used).</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    /// <returns>The rows.</returns>
    IAsyncEnumerable<CreditTransaction> StreamTransactionsAsync(CreditAnalyticsRange range, CancellationToken cancellationToken = default);

    /// <summary>Streams every usage log created in the range, oldest first (see <see cref="StreamTransactionsAsync"/>).</summary>
    /// <param name="range">The time range (the bucket is not used).</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    /// <returns>The rows.</returns>
    IAsyncEnumerable<UsageLog> StreamUsageAsync(CreditAnalyticsRange range, CancellationToken cancellationToken = default);
}
