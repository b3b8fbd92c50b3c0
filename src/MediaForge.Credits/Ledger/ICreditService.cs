namespace MediaForge.Credits;

/// <summary>
/// Balances, checks, atomic deductions and grants of credits. Every movement is an append-only ledger row written
/// in the same database transaction as the balance. Registered scoped by
/// <see cref="CreditsBuilder.UseEntityFrameworkCore{TContext}"/>.
/// </summary>
/// <remarks>
/// Expected business outcomes (not enough credits, a retried request) are result values. Programming errors (an
/// empty user id, an unknown feature or model, an amount that is not positive) throw an
/// <see cref="ArgumentException"/> (or a subclass) that names the bad value.
/// </remarks>
public interface ICreditService
{
    /// <summary>Gets a user's balance. A user without an account has a balance of 0.</summary>
    /// <param name="userId">The user id.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    Task<CreditBalance> GetBalanceAsync(string userId, CancellationToken cancellationToken = default);

    /// <summary>Tells whether a user can pay for one use of <paramref name="feature"/> with <paramref name="model"/> now.</summary>
    /// <param name="userId">The user id.</param>
    /// <param name="feature">The feature (case-insensitive), for example <c>video-generation</c>.</param>
    /// <param name="model">The model (case-insensitive), for example <c>hailuo</c>.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <param name="wallet">
    /// Whose credits would pay: the user's own (default) or a team's (<see cref="CreditWallet.Team"/>, the user as a
    /// member; the funding policy, the member's limit, membership and the team's status are taken into account).
    /// </param>
    /// <exception cref="UnknownFeaturePricingException">No active price exists for the feature and model.</exception>
    /// <exception cref="InvalidOperationException">A team's wallet while teams are off (<see cref="CreditTeamOptions.Enabled"/>).</exception>
    Task<CreditCheckResult> CheckCreditsAsync(string userId, string feature, string model, CancellationToken cancellationToken = default,
        CreditWallet wallet = default);

    /// <summary>
    /// Charges one use of <paramref name="feature"/> with <paramref name="model"/>: checks and deducts in one atomic
    /// step (the balance never goes below zero under any concurrency), writes the ledger row and the usage log.
    /// Unlimited (admin) users are not charged; their usage is still logged.
    /// </summary>
    /// <param name="userId">The user id.</param>
    /// <param name="feature">The feature (case-insensitive).</param>
    /// <param name="model">The model (case-insensitive).</param>
    /// <param name="prompt">The prompt, stored in the usage log.</param>
    /// <param name="metadata">Any object (anonymous types included), stored as JSON.</param>
    /// <param name="idempotencyKey">
    /// A key unique per user for this use, made on the server from your own job id (never taken as-is from a client).
    /// A retry with the same key and the same request (feature, model, prompt, metadata) returns the original outcome
    /// with <see cref="CreditDeductionResult.IsReplay"/> set and moves nothing, also when the retries race: do not run
    /// the job again then. The same key with another request is <see cref="CreditDeductionError.IdempotencyKeyConflict"/>.
    /// Keys starting with <c>mf:</c> are reserved for the library's own operations.
    /// </param>
    /// <param name="cancellationToken">Cancels the operation; nothing is written unless it committed.</param>
    /// <param name="wallet">
    /// Whose credits pay: the user's own (default), or a team's (<see cref="CreditWallet.Team"/>): then the user must be
    /// an active member of an active team (else <see cref="CreditDeductionError.NotTeamMember"/> or
    /// <see cref="CreditDeductionError.TeamFrozen"/>), the team wallet's part is checked against and counted in the
    /// member's limit for the period in the same transaction as the debit (<see cref="CreditDeductionError.MemberLimitReached"/>),
    /// and <see cref="CreditTeamOptions.FundingPolicy"/> decides whether the member's own credits pay first, last or not
    /// at all. One usage log on the team's wallet names the member; the idempotency key is the team wallet's (a key used
    /// by another member is a conflict). <see cref="CreditDeductionResult.RemainingBalance"/> is the team wallet's balance
    /// (the member's own when it paid all of it). Product admins stay unlimited.
    /// </param>
    /// <remarks>
    /// The safe job pattern: reserve the price before the work (<see cref="ICreditReservationService"/>, or
    /// <c>.RequireCredits(...)</c> on an endpoint), capture it after, release it on failure. Deducting after the work
    /// lets concurrent requests all run while only the first pays. Every call has an operation id (the id of the rows
    /// it writes): when the COMMIT fails it is looked up, so a lost acknowledgement never charges twice; when it cannot
    /// be settled, the database error is thrown and nothing is retried blindly: retry with the same key.
    /// </remarks>
    /// <exception cref="UnknownFeaturePricingException">No active price exists for the feature and model.</exception>
    /// <exception cref="ArgumentException">An argument is empty, reserved or beyond <see cref="CreditLimits"/>.</exception>
    /// <exception cref="InvalidOperationException">A team's wallet while teams are off (<see cref="CreditTeamOptions.Enabled"/>).</exception>
    Task<CreditDeductionResult> DeductCreditsAsync(string userId, string feature, string model,
        string? prompt = null, object? metadata = null, string? idempotencyKey = null, CancellationToken cancellationToken = default,
        CreditWallet wallet = default);

    /// <summary>Grants credits to a user (creating the account on first use) and writes the ledger row.</summary>
    /// <param name="userId">The user id.</param>
    /// <param name="amount">Credits to add; must be positive.</param>
    /// <param name="type">The kind of grant, for example <see cref="CreditTransactionType.Purchase"/> or <see cref="CreditTransactionType.Bonus"/>.</param>
    /// <param name="description">Human-readable description stored in the ledger.</param>
    /// <param name="metadata">Any object, stored as JSON.</param>
    /// <param name="idempotencyKey">
    /// A key unique per user for this grant. A retry with the same request (amount, type, description, metadata)
    /// returns the original outcome with <see cref="CreditTransactionResult.IsReplay"/> set and moves nothing.
    /// </param>
    /// <param name="cancellationToken">Cancels the operation; nothing is written unless it committed.</param>
    /// <param name="category">
    /// The credits' category, which sets their place in the burn order (<see cref="CreditsOptions.CategoryPriorities"/>).
    /// Default: <see cref="CreditCategory.Paid"/> for purchases and refunds, <see cref="CreditCategory.Promotional"/> for
    /// bonuses and adjustments.
    /// </param>
    /// <exception cref="IdempotencyKeyConflictException">The key was already used for a different request.</exception>
    /// <exception cref="ArgumentOutOfRangeException">
    /// The amount is beyond <see cref="CreditLimits.MaxAmount"/>, or would take the balance over <see cref="CreditLimits.MaxBalance"/>.
    /// </exception>
    /// <exception cref="ArgumentException">The category has no priority in <see cref="CreditsOptions.CategoryPriorities"/>.</exception>
    Task<CreditTransactionResult> AddCreditsAsync(string userId, long amount, CreditTransactionType type,
        string description, object? metadata = null, string? idempotencyKey = null, CancellationToken cancellationToken = default,
        CreditCategory? category = null);

    /// <summary>
    /// Grants credits that expire at <paramref name="expiresAt"/>: among credits of one priority, debits take the
    /// soonest-expiring first, and at expiry the unconsumed remainder is removed once by an <see cref="CreditTransactionType.Expiration"/>
    /// row. Credits past their expiry are never spendable, even before that row is written. Needs a relational provider.
    /// </summary>
    /// <param name="userId">The user id.</param>
    /// <param name="amount">Credits to add; must be positive.</param>
    /// <param name="type">The kind of grant.</param>
    /// <param name="description">Human-readable description stored in the ledger.</param>
    /// <param name="expiresAt">When the credits expire; must be in the future.</param>
    /// <param name="metadata">Any object, stored as JSON.</param>
    /// <param name="idempotencyKey">A key unique per user for this grant.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <param name="category">The credits' category (default as for <see cref="AddCreditsAsync"/>).</param>
    Task<CreditTransactionResult> AddExpiringCreditsAsync(string userId, long amount, CreditTransactionType type, string description,
        DateTimeOffset expiresAt, object? metadata = null, string? idempotencyKey = null, CancellationToken cancellationToken = default,
        CreditCategory? category = null);

    /// <summary>Writes the expiry of every lapsed lot of credits (the hosted sweeper calls this; reads never count lapsed credits anyway).</summary>
    /// <param name="cancellationToken">Cancels the sweep.</param>
    /// <returns>Credits removed.</returns>
    Task<long> ExpireCreditsAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Gives back the credits of one usage charge (a failed AI job), once: a second call returns the first refund with
    /// <see cref="CreditTransactionResult.IsReplay"/> set. The refund row references the original transaction.
    /// </summary>
    /// <param name="transactionId">The usage ledger row (<see cref="CreditDeductionResult.TransactionId"/>).</param>
    /// <param name="reason">Why, stored in the ledger.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <exception cref="ArgumentException">No usage charge has that id.</exception>
    Task<CreditTransactionResult> RefundUsageAsync(Guid transactionId, string reason, CancellationToken cancellationToken = default);

    /// <summary>
    /// An operator's correction: adds (positive) or removes (negative) credits, recording who did it and why. A removal
    /// larger than the spendable credits is refused (nothing written).
    /// </summary>
    /// <param name="userId">The user id.</param>
    /// <param name="amount">Credits to add (positive) or remove (negative); not 0, at most <see cref="CreditLimits.MaxAmount"/> either way.</param>
    /// <param name="reason">Why, stored in the ledger.</param>
    /// <param name="actor">Who made the correction (an admin's user id or name), stored in the ledger metadata.</param>
    /// <param name="idempotencyKey">A key unique per user for this correction.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    Task<CreditAdjustmentResult> AdjustCreditsAsync(string userId, long amount, string reason, string actor,
        string? idempotencyKey = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Moves credits from one user to another in one transaction: the sender's <see cref="CreditTransactionType.TransferOut"/>
    /// row and the recipient's <see cref="CreditTransactionType.TransferIn"/> row, each referencing the other, with the
    /// reason. Both balance rows are locked in user id order (ordinal), so opposite transfers racing never deadlock.
    /// </summary>
    /// <remarks>
    /// Only spendable credits move (balance less held and lapsed credits); unlimited (admin) senders are charged for
    /// real, so a transfer never creates credits. Expiring credits keep their expiry: the sender's soonest-expiring
    /// credits go first (the rule of deductions) and the recipient gets them with the same expiry dates (one
    /// <see cref="CreditTransactionType.TransferIn"/> row per expiry date when they have several); credits that never
    /// expire arrive never expiring. Refusals are result values (<see cref="CreditTransferResult.Error"/>) and write
    /// nothing. Needs a relational provider.
    /// </remarks>
    /// <param name="fromUserId">The sender.</param>
    /// <param name="toUserId">The recipient (the account is created on first use).</param>
    /// <param name="amount">Credits to move: positive, at most <see cref="CreditLimits.MaxAmount"/> and <see cref="CreditTransferOptions.MaxTransferAmount"/>.</param>
    /// <param name="reason">Why, stored on both ledger rows; 1 to 500 characters.</param>
    /// <param name="idempotencyKey">
    /// A key unique per sender for this transfer. A retry with the same request (recipient, amount, reason) returns the
    /// original outcome with <see cref="CreditTransferResult.IsReplay"/> set and moves nothing, also when the retries
    /// race; the same key with another request is <see cref="CreditTransferError.IdempotencyKeyConflict"/>. Keys
    /// starting with <c>mf:</c> are reserved. A failed COMMIT is settled by looking the transfer up, never by moving twice.
    /// </param>
    /// <param name="cancellationToken">Cancels the operation; nothing is written unless it committed.</param>
    /// <exception cref="ArgumentException">An argument is empty, reserved or beyond <see cref="CreditLimits"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The recipient's balance would go over <see cref="CreditLimits.MaxBalance"/>.</exception>
    Task<CreditTransferResult> TransferCreditsAsync(string fromUserId, string toUserId, long amount, string reason,
        string? idempotencyKey = null, CancellationToken cancellationToken = default);

    /// <summary>Gets a page of a user's ledger, newest first.</summary>
    /// <param name="userId">The user id.</param>
    /// <param name="page">The 1-based page number, at most <see cref="CreditLimits.MaxPage"/>.</param>
    /// <param name="pageSize">Entries per page, 1 to 500.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    Task<CreditPage<CreditLedgerEntry>> GetTransactionsAsync(string userId, int page = 1, int pageSize = 50, CancellationToken cancellationToken = default);

    /// <summary>Gets a page of a user's feature usage, newest first.</summary>
    /// <param name="userId">The user id.</param>
    /// <param name="page">The 1-based page number, at most <see cref="CreditLimits.MaxPage"/>.</param>
    /// <param name="pageSize">Entries per page, 1 to 500.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    Task<CreditPage<CreditUsageEntry>> GetUsageAsync(string userId, int page = 1, int pageSize = 50, CancellationToken cancellationToken = default);

    /// <summary>Gets a page of a user's purchases, newest first.</summary>
    /// <param name="userId">The user id.</param>
    /// <param name="page">The 1-based page number, at most <see cref="CreditLimits.MaxPage"/>.</param>
    /// <param name="pageSize">Entries per page, 1 to 500.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    Task<CreditPage<CreditPurchaseEntry>> GetPurchasesAsync(string userId, int page = 1, int pageSize = 50, CancellationToken cancellationToken = default);
}
