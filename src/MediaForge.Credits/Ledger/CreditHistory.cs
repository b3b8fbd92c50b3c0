using System.Linq.Expressions;
using MediaForge.Credits.Purchases;

namespace MediaForge.Credits.Ledger;

/// <summary>A user's history, page by page: ledger rows, usage and purchases, newest first.</summary>
internal sealed class CreditHistory(CreditsDbContextHandle handle)
{
    private readonly DbContext db = handle.Context;

    public Task<CreditPage<CreditLedgerEntry>> GetTransactionsAsync(string userId, int page, int pageSize, CancellationToken cancellationToken) =>
        GetAccountTransactionsAsync(CreditArguments.UserId(userId), page, pageSize, cancellationToken);

    /// <summary>The ledger of any account, a team wallet's (<c>mf:team:{id}</c>) included: callers pass a checked account id.</summary>
    public Task<CreditPage<CreditLedgerEntry>> GetAccountTransactionsAsync(string accountId, int page, int pageSize, CancellationToken cancellationToken) =>
        PageAsync(db.Set<CreditTransaction>().Where(t => t.UserId == accountId), t => t.CreatedAt, t => t.Id, page, pageSize, CreditLedgerEntry.From, cancellationToken);

    public Task<CreditPage<CreditUsageEntry>> GetUsageAsync(string userId, int page, int pageSize, CancellationToken cancellationToken)
    {
        CreditArguments.UserId(userId);
        return PageAsync(db.Set<UsageLog>().Where(u => u.UserId == userId), u => u.CreatedAt, u => u.Id, page, pageSize, CreditUsageEntry.From, cancellationToken);
    }

    public Task<CreditPage<CreditPurchaseEntry>> GetPurchasesAsync(string userId, int page, int pageSize, CancellationToken cancellationToken)
    {
        CreditArguments.UserId(userId);
        return PageAsync(db.Set<CreditPurchase>().Where(p => p.UserId == userId), p => p.CreatedAt, p => p.Id, page, pageSize,
            CreditPurchaseEntry.From, cancellationToken);
    }

    /// <summary>One page of an account's rows, newest first (time, then the time-ordered id), with the total count.</summary>
    private static async Task<CreditPage<TEntry>> PageAsync<TRow, TEntry>(IQueryable<TRow> rows,
        Expression<Func<TRow, DateTime>> createdAt, Expression<Func<TRow, Guid>> id,
        int page, int pageSize, Func<TRow, TEntry> map, CancellationToken cancellationToken)
        where TRow : class
    {
        CreditArguments.Page(page, pageSize);
        var query = rows.AsNoTracking();
        var total = await query.LongCountAsync(cancellationToken).ConfigureAwait(false);
        var items = await query.OrderByDescending(createdAt).ThenByDescending(id)
            .Skip((page - 1) * pageSize).Take(pageSize)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return new CreditPage<TEntry> { Items = items.ConvertAll(row => map(row)), Page = page, PageSize = pageSize, TotalCount = total };
    }
}
