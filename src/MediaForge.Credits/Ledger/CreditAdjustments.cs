using MediaForge.Credits.Expiry;

namespace MediaForge.Credits.Ledger;

/// <summary>
/// Operator corrections: a positive one is a grant; a negative one a conditional debit with its own ledger row,
/// fingerprinted by amount, reason and actor, and settled by the row's id when its commit fails.
/// </summary>
internal sealed class CreditAdjustments(
    CreditsDbContextHandle handle,
    CreditLedger ledger,
    CreditGrants grants,
    CreditAccountReader accounts,
    Categories.CreditBurnOrder burnOrder,
    TimeProvider time,
    IOptions<CreditsOptions> options,
    ILogger<CreditService> logger)
{
    private readonly DbContext db = handle.Context;

    public async Task<CreditAdjustmentResult> AdjustCreditsAsync(string userId, long amount, string reason, string actor,
        string? idempotencyKey, CancellationToken cancellationToken)
    {
        CreditArguments.UserId(userId);
        ArgumentOutOfRangeException.ThrowIfZero(amount);
        ArgumentOutOfRangeException.ThrowIfLessThan(amount, -CreditLimits.MaxAmount); // above the maximum: the grant refuses it (CreditArguments.Amount)
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        ArgumentException.ThrowIfNullOrWhiteSpace(actor);
        var key = CreditArguments.IdempotencyKey(idempotencyKey);
        var metadata = CreditArguments.Metadata(new { actor, reason });
        var description = ("Adjustment: " + reason) is { Length: > 500 } longDescription ? longDescription[..500] : "Adjustment: " + reason;
        // Stryker disable once Equality : an amount of 0 was refused above, so `>= 0` takes the same branches
        if (amount > 0)
        {
            var grant = await grants.GrantAsync(userId, amount, CreditTransactionType.Adjustment, description, metadata, key, null, cancellationToken).ConfigureAwait(false);
            return new CreditAdjustmentResult { Success = true, TransactionId = grant.TransactionId, Balance = grant.Balance, Error = CreditDeductionError.None, IsReplay = grant.IsReplay };
        }

        var operationId = CreditAttempts.NewOperationId(time);
        return await CreditTransactions.RunAsync(db, async ct =>
        {
            if (key is not null && await db.Set<CreditTransaction>().AsNoTracking()
                    .Where(t => t.UserId == userId && t.IdempotencyKey == key).Select(t => new { t.Id, t.Amount, t.Type, t.BalanceAfter, t.Description, t.Metadata })
                    .FirstOrDefaultAsync(ct).ConfigureAwait(false) is { } earlier)
            {
                // The fingerprint: the same correction (amount, reason, actor) is replayed; anything else is a conflict.
                if (earlier.Amount == amount && earlier.Type == CreditTransactionType.Adjustment && earlier.Description == description && earlier.Metadata == metadata)
                {
                    return new CreditAdjustmentResult { Success = true, TransactionId = earlier.Id, Balance = earlier.BalanceAfter, Error = CreditDeductionError.None, IsReplay = true };
                }

                CreditLedgerLog.KeyConflict(logger, userId, key);
                return new CreditAdjustmentResult { Success = false, Balance = 0, Error = CreditDeductionError.IdempotencyKeyConflict };
            }

            var now = time.GetUtcNow();
            var debit = -amount;
            LedgerBalance? debited = null;
            await accounts.TryDebitAfterLapsesAsync(userId, debit, now.UtcDateTime,
                async c => (debited = await ledger.TryDebitAsync(userId, debit, now.UtcDateTime, c).ConfigureAwait(false)) is not null, ct).ConfigureAwait(false);

            if (debited is { NextExpiryAt: not null })
            {
                await Categories.CreditBurn.ConsumeAsync(db, userId, debit, burnOrder.RestPriority, now.UtcDateTime, ct).ConfigureAwait(false);
            }

            var balance = debited?.Balance;
            if (balance is null)
            {
                return new CreditAdjustmentResult
                {
                    Success = false,
                    Balance = (await accounts.ReadAsync(userId, ct).ConfigureAwait(false)).Balance,
                    Error = CreditDeductionError.InsufficientCredits,
                };
            }

            var row = new CreditTransaction
            {
                Id = operationId,
                UserId = userId,
                Amount = amount,
                BalanceAfter = balance.Value,
                Type = CreditTransactionType.Adjustment,
                Description = description,
                Metadata = metadata,
                IdempotencyKey = key,
                CreatedAt = now.UtcDateTime,
            };
            await ledger.AppendAsync(row, null, ct).ConfigureAwait(false);
            await Events.CreditBalanceAlerts.AfterDebitAsync(db, options.Value.Events.LowBalanceThreshold, userId, balance.Value, debit, now, ct).ConfigureAwait(false);
            CreditLedgerLog.Granted(logger, userId, amount, CreditTransactionType.Adjustment, balance.Value);
            return new CreditAdjustmentResult { Success = true, TransactionId = row.Id, Balance = balance.Value, Error = CreditDeductionError.None };
        }, cancellationToken, settle: async ct => await db.Set<CreditTransaction>().AsNoTracking().Where(t => t.Id == operationId)
            .Select(t => new CreditAdjustmentResult { Success = true, TransactionId = t.Id, Balance = t.BalanceAfter, Error = CreditDeductionError.None })
            .FirstOrDefaultAsync(ct).ConfigureAwait(false)).ConfigureAwait(false);
    }
}
