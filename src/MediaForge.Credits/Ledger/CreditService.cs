using MediaForge.Credits.Expiry;
using MediaForge.Credits.Transfers;

namespace MediaForge.Credits.Ledger;

/// <summary>
/// <see cref="ICreditService"/> on EF Core: a facade over the ledger's jobs. Deductions run through
/// <see cref="CreditDeductions"/> (rows written by <see cref="CreditDeductionWriter"/>), grants through
/// <see cref="CreditGrants"/>, corrections through <see cref="CreditAdjustments"/>, transfers through
/// <see cref="CreditTransfers"/>, history through
/// <see cref="CreditHistory"/> and the expiry sweep through <see cref="CreditExpiry"/>.
/// </summary>
internal sealed class CreditService(
    CreditAccountReader accounts,
    CreditDeductions deductions,
    CreditGrants grants,
    CreditAdjustments adjustments,
    CreditTransfers transfers,
    CreditHistory history,
    CreditExpiry expiry,
    ICreditCatalog catalog,
    Teams.CreditTeamChecks teamChecks,
    IOptions<CreditsOptions> options) : ICreditService
{
    public Task<CreditBalance> GetBalanceAsync(string userId, CancellationToken cancellationToken = default) =>
        GetAccountBalanceAsync(CreditArguments.UserId(userId), cancellationToken);

    /// <summary>The balance of any account, a team wallet's (<c>mf:team:{id}</c>) included: for the library's own flows.</summary>
    internal async Task<CreditBalance> GetAccountBalanceAsync(string userId, CancellationToken cancellationToken) =>
        BalanceOf(userId, await accounts.ReadAsync(userId, cancellationToken).ConfigureAwait(false));

    /// <summary>
    /// <see cref="GetBalanceAsync"/> and whether the user has a subscription, from the same read (<see langword="null"/>:
    /// the read did not say): the balance endpoint reads the plan summary only for subscribers.
    /// </summary>
    internal async Task<(CreditBalance Balance, bool? HasSubscription)> GetBalanceAndPlanAsync(string userId, CancellationToken cancellationToken)
    {
        var id = CreditArguments.UserId(userId);
        var account = await accounts.ReadAsync(id, cancellationToken).ConfigureAwait(false);
        return (BalanceOf(id, account), account.HasSubscription);
    }

    private CreditBalance BalanceOf(string userId, CreditAccountState account) =>
        new CreditBalance
        {
            UserId = userId,
            Balance = account.Balance,
            Available = account.Available,
            IsUnlimited = account.IsAdmin || options.Value.AdminUserIds.Contains(userId),
            NextExpiration = account.NextExpiration,
            Categories = account.Categories,
        };

    public async Task<CreditCheckResult> CheckCreditsAsync(string userId, string feature, string model, CancellationToken cancellationToken = default,
        CreditWallet wallet = default)
    {
        CreditArguments.UserId(userId);
        var price = await catalog.GetPriceAsync(feature, model, cancellationToken).ConfigureAwait(false);
        if (wallet.IsTeam)
        {
            return await teamChecks.CheckAsync(userId, wallet, price, cancellationToken).ConfigureAwait(false);
        }

        var balance = await GetBalanceAsync(userId, cancellationToken).ConfigureAwait(false);
        var hasCredits = balance.IsUnlimited || balance.Available >= price;
        return new CreditCheckResult
        {
            HasCredits = hasCredits,
            Required = price,
            Available = balance.Available,
            IsUnlimited = balance.IsUnlimited,
            Error = hasCredits ? CreditDeductionError.None : CreditDeductionError.InsufficientCredits,
        };
    }

    public Task<CreditDeductionResult> DeductCreditsAsync(string userId, string feature, string model,
        string? prompt = null, object? metadata = null, string? idempotencyKey = null, CancellationToken cancellationToken = default,
        CreditWallet wallet = default) =>
        deductions.DeductCreditsAsync(userId, feature, model, prompt, metadata, idempotencyKey, cancellationToken, wallet);

    public Task<CreditTransactionResult> AddCreditsAsync(string userId, long amount, CreditTransactionType type,
        string description, object? metadata = null, string? idempotencyKey = null, CancellationToken cancellationToken = default,
        CreditCategory? category = null) =>
        grants.AddCreditsAsync(userId, amount, type, description, metadata, idempotencyKey, category, cancellationToken);

    public Task<CreditTransactionResult> AddExpiringCreditsAsync(string userId, long amount, CreditTransactionType type, string description,
        DateTimeOffset expiresAt, object? metadata = null, string? idempotencyKey = null, CancellationToken cancellationToken = default,
        CreditCategory? category = null) =>
        grants.AddExpiringCreditsAsync(userId, amount, type, description, expiresAt, metadata, idempotencyKey, category, cancellationToken);

    public Task<long> ExpireCreditsAsync(CancellationToken cancellationToken = default) => expiry.ExpireCreditsAsync(cancellationToken);

    /// <summary>Grants validated credits, with an external reference on the ledger row (for purchases and webhooks).</summary>
    internal Task<CreditTransactionResult> GrantAsync(string userId, long amount, CreditTransactionType type, string description,
        string? metadataJson, string? idempotencyKey, string? reference, CancellationToken cancellationToken, DateTimeOffset? expiresAt = null,
        CreditCategory? category = null) =>
        grants.GrantAsync(userId, amount, type, description, metadataJson, idempotencyKey, reference, cancellationToken, expiresAt, category);

    public Task<CreditTransactionResult> RefundUsageAsync(Guid transactionId, string reason, CancellationToken cancellationToken = default) =>
        grants.RefundUsageAsync(transactionId, reason, cancellationToken);

    public Task<CreditAdjustmentResult> AdjustCreditsAsync(string userId, long amount, string reason, string actor,
        string? idempotencyKey = null, CancellationToken cancellationToken = default) =>
        adjustments.AdjustCreditsAsync(userId, amount, reason, actor, idempotencyKey, cancellationToken);

    public Task<CreditTransferResult> TransferCreditsAsync(string fromUserId, string toUserId, long amount, string reason,
        string? idempotencyKey = null, CancellationToken cancellationToken = default) =>
        transfers.TransferCreditsAsync(fromUserId, toUserId, amount, reason, idempotencyKey, cancellationToken);

    /// <summary>Creates the user and balance rows when missing (a user who calls the API before any webhook).</summary>
    internal Task EnsureAccountAsync(string userId, CancellationToken cancellationToken) => accounts.EnsureAsync(userId, cancellationToken);

    public Task<CreditPage<CreditLedgerEntry>> GetTransactionsAsync(string userId, int page = 1, int pageSize = 50, CancellationToken cancellationToken = default) =>
        history.GetTransactionsAsync(userId, page, pageSize, cancellationToken);

    public Task<CreditPage<CreditUsageEntry>> GetUsageAsync(string userId, int page = 1, int pageSize = 50, CancellationToken cancellationToken = default) =>
        history.GetUsageAsync(userId, page, pageSize, cancellationToken);

    public Task<CreditPage<CreditPurchaseEntry>> GetPurchasesAsync(string userId, int page = 1, int pageSize = 50, CancellationToken cancellationToken = default) =>
        history.GetPurchasesAsync(userId, page, pageSize, cancellationToken);
}
