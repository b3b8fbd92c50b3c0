using System.Linq.Expressions;

namespace MediaForge.Credits.Ledger;

/// <summary>
/// Stored deductions: the outcome of an earlier deduction with the same key (or a conflict when the key was used for
/// another request), and a stored deduction's outcome found by its usage log.
/// </summary>
internal sealed class CreditDeductionReplays(CreditsDbContextHandle handle, CreditAccountReader accounts, ILogger<CreditService> logger)
{
    private readonly DbContext db = handle.Context;

    /// <summary>
    /// The stored outcome of an earlier deduction with the same key, or a conflict if the key was used otherwise.
    /// </summary>
    /// <param name="usage">The deduction asked for.</param>
    /// <param name="includeGrants">
    /// Whether to look for a grant that holds the key too: after the ledger's unique index rejected the key, or after a
    /// deduction statement skipped it. (A usage charge found there and not among the usage logs committed in between,
    /// on a database where each statement sees the latest commits: its usage log is read again, for a replay.)
    /// </param>
    /// <param name="cancellationToken">Cancels the queries.</param>
    public async Task<CreditDeductionResult?> FindAsync(CreditDeductionRequest usage, bool includeGrants, CancellationToken cancellationToken)
    {
        var key = usage.IdempotencyKey;
        Expression<Func<UsageLog, bool>> byKey = u => u.UserId == usage.UserId && u.IdempotencyKey == key;
        var earlier = await FindUsageAsync(byKey, cancellationToken).ConfigureAwait(false);
        // Stryker disable once Logical : equivalent in outcome: the grant look-up would only come sooner; a key a grant holds is a conflict once the debit is refused (includeGrants) all the same
        if (earlier is null && includeGrants)
        {
            var holder = await db.Set<CreditTransaction>().AsNoTracking()
                .Where(t => t.UserId == usage.UserId && t.IdempotencyKey == key).Select(t => (CreditTransactionType?)t.Type)
                .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
            // A usage charge seen here and not above committed in between: its usage log is there now.
            // Stryker disable once Conditional,Equality : only a usage committed between the two reads tells (a race a test cannot order); otherwise both reads find none
            earlier = holder == CreditTransactionType.Usage
                ? await FindUsageAsync(byKey, cancellationToken).ConfigureAwait(false)
                : null;
            if (holder is not null && earlier is null)
            {
                return Conflict();
            }
        }

        if (earlier is null)
        {
            return null;
        }

        // The fingerprint (with the member, on a team's wallet): the same key with another request is a conflict, never a replay that runs a new job for free.
        if (earlier.Feature != usage.Feature || earlier.Model != usage.Model || earlier.Prompt != usage.Prompt || earlier.Metadata != usage.Metadata
            || earlier.MemberId != usage.MemberId)
        {
            return Conflict();
        }

        CreditLedgerLog.Replay(logger, usage.UserId, key!);
        return await OutcomeAsync(earlier, usage.UserId, isReplay: true, cancellationToken).ConfigureAwait(false);

        CreditDeductionResult Conflict()
        {
            CreditLedgerLog.KeyConflict(logger, usage.UserId, key!);
            return new()
            {
                Success = false,
                CreditsDeducted = 0,
                RemainingBalance = 0,
                Error = CreditDeductionError.IdempotencyKeyConflict,
            };
        }
    }

    /// <summary>The outcome of the deduction whose usage log has <paramref name="usageLogId"/>; <see langword="null"/> when there is none.</summary>
    public async Task<CreditDeductionResult?> FindByUsageLogAsync(Guid usageLogId, string userId, CancellationToken cancellationToken)
    {
        var applied = await FindUsageAsync(u => u.Id == usageLogId, cancellationToken).ConfigureAwait(false);
        // Stryker disable once Conditional : equivalent: the caller settles a failed commit, and a look-up that throws counts there as one that found nothing
        return applied is null ? null : await OutcomeAsync(applied, userId, isReplay: false, cancellationToken).ConfigureAwait(false);
    }

    private Task<StoredUsage?> FindUsageAsync(Expression<Func<UsageLog, bool>> predicate, CancellationToken cancellationToken) =>
        db.Set<UsageLog>().AsNoTracking().Where(predicate)
            .Select(u => new StoredUsage(u.Id, u.Feature, u.Model, u.Prompt, u.Metadata, u.MemberId, u.CreditsUsed, u.TransactionId))
            .FirstOrDefaultAsync(cancellationToken);

    /// <summary>A stored deduction's outcome: its charge and the balance right after it.</summary>
    private async Task<CreditDeductionResult> OutcomeAsync(StoredUsage stored, string userId, bool isReplay, CancellationToken cancellationToken)
    {
        var balanceAfter = stored.TransactionId is { } transactionId
            ? await db.Set<CreditTransaction>().AsNoTracking().Where(t => t.Id == transactionId).Select(t => t.BalanceAfter)
                .FirstAsync(cancellationToken).ConfigureAwait(false)
            : (await accounts.ReadAsync(userId, cancellationToken).ConfigureAwait(false)).Balance;
        return new CreditDeductionResult
        {
            Success = true,
            CreditsDeducted = stored.CreditsUsed,
            RemainingBalance = balanceAfter,
            Error = CreditDeductionError.None,
            TransactionId = stored.TransactionId,
            UsageLogId = stored.Id,
            IsReplay = isReplay,
        };
    }

    private sealed record StoredUsage(Guid Id, string Feature, string Model, string? Prompt, string? Metadata, string? MemberId, long CreditsUsed, Guid? TransactionId);
}
