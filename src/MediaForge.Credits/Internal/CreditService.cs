using System.Data.Common;
using MediaForge.Credits.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MediaForge.Credits.Internal;

/// <summary>
/// <see cref="ICreditService"/> on EF Core. Each movement is one transaction: a conditional balance update (check and
/// take in one statement), the ledger row and the usage log. A retry with the same idempotency key finds the stored
/// outcome; racing duplicates lose on the unique (user, key) index and then find the winner's outcome.
/// </summary>
internal sealed partial class CreditService(
    CreditsDbContextHandle handle,
    ICreditCatalog catalog,
    IOptions<CreditsOptions> options,
    TimeProvider time,
    CreditsTelemetry telemetry,
    ILogger<CreditService> logger,
    CreditDeductionBatcher? batcher = null) : ICreditService
{
    /// <summary>Attempts of one operation when the database rejects a racing duplicate (unique key) or a racing account creation.</summary>
    private const int MaxAttempts = 3;

    private readonly DbContext db = handle.Context;
    private CreditLedger? ledger;


    private CreditLedger Ledger => ledger ??= CreditLedger.For(db);

    public async Task<CreditBalance> GetBalanceAsync(string userId, CancellationToken cancellationToken = default)
    {
        CreditArguments.UserId(userId);
        var account = await ReadAccountAsync(userId, cancellationToken).ConfigureAwait(false);
        return new CreditBalance
        {
            UserId = userId,
            Balance = account.Balance,
            Available = account.Available,
            IsUnlimited = account.IsAdmin || IsConfiguredAdmin(userId),
            NextExpiration = account.NextExpiration,
        };
    }

    public async Task<CreditCheckResult> CheckCreditsAsync(string userId, string feature, string model, CancellationToken cancellationToken = default)
    {
        CreditArguments.UserId(userId);
        var price = await catalog.GetPriceAsync(feature, model, cancellationToken).ConfigureAwait(false);
        var balance = await GetBalanceAsync(userId, cancellationToken).ConfigureAwait(false);
        return new CreditCheckResult
        {
            HasCredits = balance.IsUnlimited || balance.Available >= price,
            Required = price,
            Available = balance.Available,
            IsUnlimited = balance.IsUnlimited,
        };
    }

    public async Task<CreditDeductionResult> DeductCreditsAsync(string userId, string feature, string model,
        string? prompt = null, object? metadata = null, string? idempotencyKey = null, CancellationToken cancellationToken = default)
    {
        CreditArguments.UserId(userId);
        using var measurement = telemetry.MeasureDeduction(userId, feature, model);
        var usage = new DeductionRequest(
            userId,
            CreditArguments.Name(feature, nameof(feature)),
            CreditArguments.Name(model, nameof(model)),
            await catalog.GetPriceAsync(feature, model, cancellationToken).ConfigureAwait(false),
            Truncate(prompt),
            CreditArguments.Metadata(metadata),
            CreditArguments.IdempotencyKey(idempotencyKey),
            NewOperationId(),
            NewOperationId());

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                if (attempt == 1 && CanCoalesce()
                    && await DeductCoalescedAsync(usage, cancellationToken).ConfigureAwait(false) is { } coalesced)
                {
                    return coalesced;
                }

                return await DeductOnceAsync(usage, cancellationToken).ConfigureAwait(false);
            }
            catch (CreditCommitOutcomeUnknownException unknown)
            {
                return await unknown.SettleAsync(ct => FindAppliedDeductionAsync(usage, ct), cancellationToken).ConfigureAwait(false);
            }
            catch (DbException exception) when (CanRetry(attempt, cancellationToken))
            {
                if (usage.IdempotencyKey is not null
                    && await FindDeductionAsync(usage, includeGrants: true, cancellationToken).ConfigureAwait(false) is { } replay)
                {
                    return replay;
                }

                LogRetry(userId, attempt, exception.Message);
            }
        }
    }

    public Task<CreditTransactionResult> AddCreditsAsync(string userId, long amount, CreditTransactionType type,
        string description, object? metadata = null, string? idempotencyKey = null, CancellationToken cancellationToken = default)
    {
        CreditArguments.UserId(userId);
        CreditArguments.Amount(amount);
        ArgumentNullException.ThrowIfNull(description);
        if (type is CreditTransactionType.Usage or CreditTransactionType.Expiration || !Enum.IsDefined(type))
        {
            throw new ArgumentException($"Credits cannot be added with transaction type '{type}'.", nameof(type));
        }

        var expiresAt = type == CreditTransactionType.Bonus && options.Value.BonusCreditLifetime is { } lifetime
            ? time.GetUtcNow() + lifetime
            : (DateTimeOffset?)null;
        return GrantAsync(userId, amount, type, description, CreditArguments.Metadata(metadata),
            CreditArguments.IdempotencyKey(idempotencyKey), reference: null, cancellationToken, expiresAt);
    }

    public Task<CreditTransactionResult> AddExpiringCreditsAsync(string userId, long amount, CreditTransactionType type, string description,
        DateTimeOffset expiresAt, object? metadata = null, string? idempotencyKey = null, CancellationToken cancellationToken = default)
    {
        CreditArguments.UserId(userId);
        CreditArguments.Amount(amount);
        ArgumentNullException.ThrowIfNull(description);
        if (type is CreditTransactionType.Usage or CreditTransactionType.Expiration || !Enum.IsDefined(type))
        {
            throw new ArgumentException($"Credits cannot be added with transaction type '{type}'.", nameof(type));
        }

        if (expiresAt <= time.GetUtcNow())
        {
            throw new ArgumentOutOfRangeException(nameof(expiresAt), expiresAt, "Expiring credits need an expiry in the future.");
        }

        return GrantAsync(userId, amount, type, description, CreditArguments.Metadata(metadata),
            CreditArguments.IdempotencyKey(idempotencyKey), reference: null, cancellationToken, expiresAt);
    }

    public async Task<long> ExpireCreditsAsync(CancellationToken cancellationToken = default)
    {
        if (!db.Database.IsRelational())
        {
            return 0;
        }

        var now = time.GetUtcNow().UtcDateTime;
        var users = await db.Set<CreditGrant>().AsNoTracking()
            .Where(g => g.Remaining > 0 && g.ExpiresAt <= now)
            .Select(g => g.UserId).Distinct().Take(500)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        long removed = 0;
        foreach (var user in users)
        {
            try
            {
                removed += await CreditTransactions.RunAsync(db, ct => CreditLots.ExpireLapsedAsync(db, user, now, ct), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // One user's failure does not stop the sweep for the others; the next sweep tries again.
                db.ChangeTracker.Clear();
                LogExpiryFailed(user, exception);
            }
        }

        telemetry.Expired(removed);
        return removed;
    }

    /// <summary>Grants validated credits, with an external reference on the ledger row (for purchases and webhooks).</summary>
    internal async Task<CreditTransactionResult> GrantAsync(string userId, long amount, CreditTransactionType type, string description,
        string? metadataJson, string? idempotencyKey, string? reference, CancellationToken cancellationToken, DateTimeOffset? expiresAt = null)
    {
        CreditArguments.Amount(amount);
        using var activity = telemetry.StartGrant(userId, type, amount);
        const int maxDescription = 500;
        var grant = new GrantRequest(userId, amount, type, description.Length > maxDescription ? description[..maxDescription] : description,
            metadataJson, idempotencyKey, reference, expiresAt?.UtcDateTime, NewOperationId());
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await AddOnceAsync(grant, cancellationToken).ConfigureAwait(false);
            }
            catch (CreditCommitOutcomeUnknownException unknown)
            {
                return await unknown.SettleAsync(ct => FindAppliedGrantAsync(grant, ct), cancellationToken).ConfigureAwait(false);
            }
            catch (DbException exception) when (CanRetry(attempt, cancellationToken))
            {
                if (grant.IdempotencyKey is not null
                    && await FindGrantAsync(grant, cancellationToken).ConfigureAwait(false) is { } replay)
                {
                    return replay;
                }

                LogRetry(userId, attempt, exception.Message);
            }
        }
    }

    public async Task<CreditTransactionResult> RefundUsageAsync(Guid transactionId, string reason, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        var charge = await db.Set<CreditTransaction>().AsNoTracking()
            .Where(t => t.Id == transactionId && t.Type == CreditTransactionType.Usage && t.Amount < 0)
            .Select(t => new { t.UserId, t.Amount, t.Description })
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new ArgumentException($"No usage charge has transaction id '{transactionId}'.", nameof(transactionId));
        return await GrantAsync(charge.UserId, -charge.Amount, CreditTransactionType.Refund, $"Refund of {charge.Description}: {reason}",
            CreditArguments.Metadata(new { refundOf = transactionId, reason }), CreditOperationKeys.For("refund", transactionId.ToString()), transactionId.ToString(), cancellationToken)
            .ConfigureAwait(false);
    }

    public async Task<CreditAdjustmentResult> AdjustCreditsAsync(string userId, long amount, string reason, string actor,
        string? idempotencyKey = null, CancellationToken cancellationToken = default)
    {
        CreditArguments.UserId(userId);
        ArgumentOutOfRangeException.ThrowIfZero(amount);
        ArgumentOutOfRangeException.ThrowIfLessThan(amount, -CreditLimits.MaxAmount);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(amount, CreditLimits.MaxAmount);
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        ArgumentException.ThrowIfNullOrWhiteSpace(actor);
        var key = CreditArguments.IdempotencyKey(idempotencyKey);
        var metadata = CreditArguments.Metadata(new { actor, reason });
        var description = ("Adjustment: " + reason) is { Length: > 500 } longDescription ? longDescription[..500] : "Adjustment: " + reason;
        if (amount > 0)
        {
            var grant = await GrantAsync(userId, amount, CreditTransactionType.Adjustment, description, metadata, key, null, cancellationToken).ConfigureAwait(false);
            return new CreditAdjustmentResult { Success = true, TransactionId = grant.TransactionId, Balance = grant.Balance, Error = CreditDeductionError.None, IsReplay = grant.IsReplay };
        }

        var operationId = NewOperationId();
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

                LogKeyConflict(userId, key);
                return new CreditAdjustmentResult { Success = false, Balance = 0, Error = CreditDeductionError.IdempotencyKeyConflict };
            }

            var now = time.GetUtcNow();
            var debited = await Ledger.TryDebitAsync(userId, -amount, now.UtcDateTime, ct).ConfigureAwait(false);
            if (debited is null && await WriteLapsesAsync(userId, await ReadAccountAsync(userId, ct).ConfigureAwait(false), now.UtcDateTime, ct).ConfigureAwait(false))
            {
                debited = await Ledger.TryDebitAsync(userId, -amount, now.UtcDateTime, ct).ConfigureAwait(false);
            }

            if (debited is { NextExpiryAt: not null })
            {
                await CreditLots.ConsumeAsync(db, userId, -amount, ct).ConfigureAwait(false);
            }

            var balance = debited?.Balance;
            if (balance is null)
            {
                return new CreditAdjustmentResult
                {
                    Success = false,
                    Balance = (await ReadAccountAsync(userId, ct).ConfigureAwait(false)).Balance,
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
            await Ledger.AppendAsync(row, null, ct).ConfigureAwait(false);
            LogGranted(userId, amount, CreditTransactionType.Adjustment, balance.Value);
            return new CreditAdjustmentResult { Success = true, TransactionId = row.Id, Balance = balance.Value, Error = CreditDeductionError.None };
        }, cancellationToken, settle: async ct => await db.Set<CreditTransaction>().AsNoTracking().Where(t => t.Id == operationId)
            .Select(t => new CreditAdjustmentResult { Success = true, TransactionId = t.Id, Balance = t.BalanceAfter, Error = CreditDeductionError.None })
            .FirstOrDefaultAsync(ct).ConfigureAwait(false)).ConfigureAwait(false);
    }

    /// <summary>Creates the user and balance rows when missing (a user who calls the API before any webhook).</summary>
    internal Task EnsureAccountAsync(string userId, CancellationToken cancellationToken) =>
        Ledger.EnsureAccountAsync(userId, time.GetUtcNow().UtcDateTime, cancellationToken);

    public Task<CreditPage<CreditLedgerEntry>> GetTransactionsAsync(string userId, int page = 1, int pageSize = 50, CancellationToken cancellationToken = default) =>
        PageAsync(db.Set<CreditTransaction>().Where(t => t.UserId == userId), t => t.CreatedAt, t => t.Id, userId, page, pageSize, t => new CreditLedgerEntry
        {
            Id = t.Id,
            Amount = t.Amount,
            BalanceAfter = t.BalanceAfter,
            Type = t.Type,
            Description = t.Description,
            Metadata = t.Metadata,
            Reference = t.Reference,
            CreatedAt = Utc(t.CreatedAt),
        }, cancellationToken);

    public Task<CreditPage<CreditUsageEntry>> GetUsageAsync(string userId, int page = 1, int pageSize = 50, CancellationToken cancellationToken = default) =>
        PageAsync(db.Set<UsageLog>().Where(u => u.UserId == userId), u => u.CreatedAt, u => u.Id, userId, page, pageSize, u => new CreditUsageEntry
        {
            Id = u.Id,
            Feature = u.Feature,
            Model = u.Model,
            CreditsUsed = u.CreditsUsed,
            IsUnlimited = u.IsUnlimited,
            Prompt = u.Prompt,
            Metadata = u.Metadata,
            TransactionId = u.TransactionId,
            CreatedAt = Utc(u.CreatedAt),
        }, cancellationToken);

    public Task<CreditPage<CreditPurchaseEntry>> GetPurchasesAsync(string userId, int page = 1, int pageSize = 50, CancellationToken cancellationToken = default) =>
        PageAsync(db.Set<CreditPurchase>().Where(p => p.UserId == userId), p => p.CreatedAt, p => p.Id, userId, page, pageSize,
            CreditPurchaseService.ToEntry, cancellationToken);

    /// <summary>One page of a user's rows, newest first (time, then the time-ordered id), with the total count.</summary>
    private static async Task<CreditPage<TEntry>> PageAsync<TRow, TEntry>(IQueryable<TRow> rows,
        System.Linq.Expressions.Expression<Func<TRow, DateTime>> createdAt, System.Linq.Expressions.Expression<Func<TRow, Guid>> id,
        string userId, int page, int pageSize, Func<TRow, TEntry> map, CancellationToken cancellationToken)
        where TRow : class
    {
        CreditArguments.UserId(userId);
        CreditArguments.Page(page, pageSize);
        var query = rows.AsNoTracking();
        var total = await query.LongCountAsync(cancellationToken).ConfigureAwait(false);
        var items = await query.OrderByDescending(createdAt).ThenByDescending(id)
            .Skip((page - 1) * pageSize).Take(pageSize)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return new CreditPage<TEntry> { Items = items.ConvertAll(row => map(row)), Page = page, PageSize = pageSize, TotalCount = total };
    }

    /// <summary>
    /// Whether this deduction may share a transaction with other callers': on a relational database, when coalescing
    /// is on and the caller has no transaction of its own open (a host's transaction is joined instead).
    /// </summary>
    private bool CanCoalesce() =>
        batcher is not null && options.Value.CoalesceDeductions && db.Database.CurrentTransaction is null
        && System.Transactions.Transaction.Current is null && db.Database.IsRelational();

    /// <summary>
    /// The deduction through the batcher; <see langword="null"/> when it has to run on its own after all. Where the
    /// batch's statements skip a deduction whose key was used (PostgreSQL, SQLite), the earlier outcome is looked up in
    /// the batch, only then; elsewhere before queueing.
    /// </summary>
    private async Task<CreditDeductionResult?> DeductCoalescedAsync(DeductionRequest usage, CancellationToken cancellationToken)
    {
        if (usage.IdempotencyKey is not null && !Ledger.CanDebitAndAppendMany
            && await FindDeductionAsync(usage, includeGrants: false, cancellationToken).ConfigureAwait(false) is { } replay)
        {
            return replay;
        }

        return await batcher!.DeductAsync(usage, CreditLedgerSql.For(db).DeductionLanes, cancellationToken).ConfigureAwait(false);
    }

    private async Task<CreditDeductionResult> DeductOnceAsync(DeductionRequest usage, CancellationToken cancellationToken)
    {
        // The replay lookup runs before the transaction: on SQLite nothing else may write while it holds the lock, so
        // reads stay out of it. A duplicate that commits in between loses on the unique key and is replayed then.
        if (usage.IdempotencyKey is not null
            && await FindDeductionAsync(usage, includeGrants: false, cancellationToken).ConfigureAwait(false) is { } replay)
        {
            return replay;
        }

        await using var scope = await Ledger.BeginAsync(cancellationToken).ConfigureAwait(false);
        var outcome = await ApplyDeductionAsync(usage, cancellationToken).ConfigureAwait(false);
        if (outcome.Wrote)
        {
            await scope.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        Report(outcome);
        return outcome.Result;
    }

    /// <summary>
    /// Runs deductions of several callers in one transaction, in the given order (see <see cref="CreditDeductionBatcher"/>).
    /// Each one is the same statements as a deduction on its own, so each keeps its own outcome: a refused one writes
    /// nothing (or only the lapses it found). When one of them fails, the transaction is rolled back whole and the batch
    /// reports which one failed with what (see <see cref="CreditDeductionBatcher"/> for who gets the failure).
    /// </summary>
    internal async Task<DeductionBatchOutcome> DeductBatchAsync(IReadOnlyList<DeductionRequest> batch, CancellationToken cancellationToken)
    {
        var outcomes = new DeductionOutcome[batch.Count];
        var scope = await Ledger.BeginAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            try
            {
                await Ledger.ApplyBatchSettingsAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception)
            {
                return new DeductionBatchOutcome(null, 0, exception);
            }

            foreach (var round in Rounds(batch))
            {
                try
                {
                    if (round.Count > 1)
                    {
                        await ApplyDeductionsAsync(batch, round, outcomes, cancellationToken).ConfigureAwait(false);
                    }
                    else
                    {
                        outcomes[round[0]] = await ApplyDeductionAsync(batch[round[0]], cancellationToken).ConfigureAwait(false);
                    }
                }
                catch (Exception exception)
                {
                    if (batch.Count > 1)
                    {
                        LogBatchRolledBack(batch.Count, exception.Message);
                    }

                    // Which deduction of a round of several failed is not known: then none is blamed, all run alone
                    // (where the one that fails fails again, for its own caller).
                    return new DeductionBatchOutcome(null, round.Count == 1 ? round[0] : -1, exception);
                }
            }

            // A failure from here on may have committed: it is every caller's error, as it would be for one deduction.
            await scope.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await scope.DisposeAsync().ConfigureAwait(false);
        }

        var results = new CreditDeductionResult[outcomes.Length];
        for (var i = 0; i < outcomes.Length; i++)
        {
            Report(outcomes[i]);
            results[i] = outcomes[i].Result;
        }

        return new DeductionBatchOutcome(results, -1, null);
    }

    /// <summary>
    /// The batch's deductions in the order they run: where the ledger takes deductions of many users in one statement,
    /// in rounds of different users (a user's n-th deduction in round n, so each user's keep their order); otherwise
    /// one at a time.
    /// </summary>
    private IEnumerable<IReadOnlyList<int>> Rounds(IReadOnlyList<DeductionRequest> batch)
    {
        if (!Ledger.CanDebitAndAppendMany || batch.Count < 2)
        {
            for (var i = 0; i < batch.Count; i++)
            {
                yield return [i];
            }

            yield break;
        }

        var rounds = new List<List<int>>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < batch.Count; i++)
        {
            var round = seen.TryGetValue(batch[i].UserId, out var previous) ? previous + 1 : 0;
            seen[batch[i].UserId] = round;
            if (round == rounds.Count)
            {
                rounds.Add([]);
            }

            rounds[round].Add(i);
        }

        foreach (var round in rounds)
        {
            yield return round;
        }
    }

    /// <summary>
    /// The statements of one deduction inside an open transaction: the conditional debit (after writing lapses it
    /// found, if it was refused), the lots it consumes, the ledger row and the usage log. Logs nothing: the caller
    /// reports the outcome once the transaction has committed.
    /// </summary>
    private async Task<DeductionOutcome> ApplyDeductionAsync(DeductionRequest usage, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var (row, charge) = UsageRows(usage, now);
        if (IsConfiguredAdmin(usage.UserId))
        {
            return await ApplyUnlimitedAsync(usage, row, now, cancellationToken).ConfigureAwait(false);
        }

        // The fewest statements the database allows: debit, ledger row and usage log in one (PostgreSQL), or as a batch
        // of one (SQLite: the debit counts the use, so the append needs no lookups), unless lots must be consumed first.
        var appended = Ledger.CanDebitAndAppend || Ledger.CanDebitAndAppendMany;
        var debited = Ledger.CanDebitAndAppend ? await Ledger.TryDebitAndAppendAsync(charge, row, now.UtcDateTime, cancellationToken).ConfigureAwait(false)
            : appended ? (await Ledger.TryDebitAndAppendManyAsync([charge], [row], cancellationToken).ConfigureAwait(false))[0]
            : await Ledger.TryDebitAsync(usage.UserId, usage.Price, now.UtcDateTime, cancellationToken).ConfigureAwait(false);
        return await FinishDeductionAsync(usage, row, charge, now, debited, appended, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// <see cref="ApplyDeductionAsync"/> for deductions of different users, with one statement for all their first
    /// debits (see <see cref="CreditLedger.TryDebitAndAppendManyAsync"/>); each one refused there, or with lots to
    /// consume, goes on as it would alone. Configured admins run alone.
    /// </summary>
    private async Task ApplyDeductionsAsync(IReadOnlyList<DeductionRequest> batch, IReadOnlyList<int> members, DeductionOutcome[] outcomes, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var charged = new List<int>(members.Count);
        var rows = new List<UsageLog>(members.Count);
        var charges = new List<CreditTransaction>(members.Count);
        foreach (var i in members)
        {
            if (IsConfiguredAdmin(batch[i].UserId))
            {
                outcomes[i] = await ApplyDeductionAsync(batch[i], cancellationToken).ConfigureAwait(false);
                continue;
            }

            var (row, charge) = UsageRows(batch[i], now);
            charged.Add(i);
            rows.Add(row);
            charges.Add(charge);
        }

        if (charged.Count == 0)
        {
            return;
        }

        var debits = await Ledger.TryDebitAndAppendManyAsync(charges, rows, cancellationToken).ConfigureAwait(false);
        for (var k = 0; k < charged.Count; k++)
        {
            outcomes[charged[k]] = await FinishDeductionAsync(batch[charged[k]], rows[k], charges[k], now, debits[k], appended: true, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The usage log and ledger row of a charged deduction at <paramref name="now"/>.</summary>
    private (UsageLog Row, CreditTransaction Charge) UsageRows(DeductionRequest usage, DateTimeOffset now)
    {
        var row = new UsageLog
        {
            Id = usage.OperationId,
            UserId = usage.UserId,
            Feature = usage.Feature,
            Model = usage.Model,
            Price = usage.Price,
            CreditsUsed = usage.Price,
            Prompt = usage.Prompt,
            Metadata = usage.Metadata,
            IdempotencyKey = usage.IdempotencyKey,
            CreatedAt = now.UtcDateTime,
        };
        var charge = new CreditTransaction
        {
            Id = usage.ChargeId,
            UserId = row.UserId,
            Amount = -row.Price,
            Type = CreditTransactionType.Usage,
            Description = $"{row.Feature} ({row.Model})",
            Metadata = row.Metadata,
            IdempotencyKey = row.IdempotencyKey,
            Reference = row.Id.ToString(),
            CreatedAt = row.CreatedAt,
        };
        row.TransactionId = charge.Id;
        return (row, charge);
    }

    /// <summary>
    /// A deduction after its first debit: <paramref name="debited"/> is its outcome (<see langword="null"/>: refused),
    /// <paramref name="appended"/> whether that statement appends the rows (then <see cref="LedgerBalance.Appended"/>
    /// tells whether it did).
    /// </summary>
    private async Task<DeductionOutcome> FinishDeductionAsync(DeductionRequest usage, UsageLog row, CreditTransaction charge, DateTimeOffset now,
        LedgerBalance? debited, bool appended, CancellationToken cancellationToken)
    {
        // Not debited: its key may have been used (the statements skip such deductions), then the earlier outcome stands.
        if (debited is null && usage.IdempotencyKey is not null
            && await FindDeductionAsync(usage, includeGrants: true, cancellationToken).ConfigureAwait(false) is { } earlier)
        {
            return new DeductionOutcome(usage, false, 0, earlier);
        }

        var account = debited is null ? await ReadAccountAsync(usage.UserId, cancellationToken).ConfigureAwait(false) : default;
        var wroteLapses = debited is null && !account.IsAdmin && await WriteLapsesAsync(usage.UserId, account, now.UtcDateTime, cancellationToken).ConfigureAwait(false);
        if (wroteLapses)
        {
            appended = false;
            debited = await Ledger.TryDebitAsync(usage.UserId, usage.Price, now.UtcDateTime, cancellationToken).ConfigureAwait(false);
            account = debited is null ? await ReadAccountAsync(usage.UserId, cancellationToken).ConfigureAwait(false) : default;
        }

        if (debited is not null)
        {
            charge.BalanceAfter = debited.Balance;
            if (debited.NextExpiryAt is not null)
            {
                await CreditLots.ConsumeAsync(db, usage.UserId, usage.Price, cancellationToken).ConfigureAwait(false);
            }

            if (!appended || !debited.Appended)
            {
                await Ledger.AppendAsync(charge, row, cancellationToken).ConfigureAwait(false);
            }

            return Charged(usage, row, charge);
        }

        if (!account.IsAdmin)
        {
            // Lapses just written are kept (committed) even though the deduction itself is refused.
            return new DeductionOutcome(usage, wroteLapses, account.Available, new CreditDeductionResult
            {
                Success = false,
                CreditsDeducted = 0,
                RemainingBalance = account.Balance,
                Error = CreditDeductionError.InsufficientCredits,
            });
        }

        return await ApplyUnlimitedAsync(usage, row, now, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Unlimited (admin): the usage is logged, nothing is charged.</summary>
    private async Task<DeductionOutcome> ApplyUnlimitedAsync(DeductionRequest usage, UsageLog row, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await Ledger.EnsureAccountAsync(usage.UserId, now.UtcDateTime, cancellationToken).ConfigureAwait(false);
        row.CreditsUsed = 0;
        row.IsUnlimited = true;
        row.TransactionId = null;
        await Ledger.AppendAsync(null, row, cancellationToken).ConfigureAwait(false);
        return Charged(usage, row, null, (await ReadAccountAsync(usage.UserId, cancellationToken).ConfigureAwait(false)).Balance);
    }

    private static DeductionOutcome Charged(DeductionRequest usage, UsageLog logged, CreditTransaction? ledgerRow, long? balance = null) =>
        new(usage, true, 0, new CreditDeductionResult
        {
            Success = true,
            CreditsDeducted = logged.CreditsUsed,
            RemainingBalance = balance ?? ledgerRow!.BalanceAfter,
            Error = CreditDeductionError.None,
            TransactionId = ledgerRow?.Id,
            UsageLogId = logged.Id,
        });

    /// <summary>Logs and counts a deduction whose transaction has ended.</summary>
    private void Report(DeductionOutcome outcome)
    {
        var usage = outcome.Request;
        var result = outcome.Result;
        if (result.IsReplay || result.Error == CreditDeductionError.IdempotencyKeyConflict)
        {
            // Logged when found; nothing was charged or refused now.
            return;
        }

        if (!result.Success)
        {
            LogInsufficient(usage.UserId, usage.Feature, usage.Model, usage.Price, outcome.Available);
            telemetry.DeductionRejected(usage.Feature, usage.Model, "insufficient_credits");
            return;
        }

        var unlimited = result.TransactionId is null;
        LogDeducted(usage.UserId, usage.Feature, usage.Model, result.CreditsDeducted, result.RemainingBalance, unlimited);
        telemetry.Deducted(usage.Feature, usage.Model, result.CreditsDeducted, unlimited);
    }

    private async Task<CreditTransactionResult> AddOnceAsync(GrantRequest grant, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (grant.IdempotencyKey is not null
            && await FindGrantAsync(grant, cancellationToken).ConfigureAwait(false) is { } replay)
        {
            return replay;
        }

        await using var scope = await Ledger.BeginAsync(cancellationToken).ConfigureAwait(false);

        var credited = await Ledger.TryCreditAsync(grant.UserId, grant.Amount, now.UtcDateTime, cancellationToken).ConfigureAwait(false);
        if (credited is null)
        {
            await Ledger.EnsureAccountAsync(grant.UserId, now.UtcDateTime, cancellationToken).ConfigureAwait(false);
            credited = await Ledger.TryCreditAsync(grant.UserId, grant.Amount, now.UtcDateTime, cancellationToken).ConfigureAwait(false)
                ?? throw new ArgumentOutOfRangeException(nameof(grant.Amount), grant.Amount,
                    $"Granting {grant.Amount} credits would take the balance of user '{grant.UserId}' over {CreditLimits.MaxBalance}.");
        }

        var balance = credited.Balance;

        var row = new CreditTransaction
        {
            Id = grant.OperationId,
            UserId = grant.UserId,
            Amount = grant.Amount,
            BalanceAfter = balance,
            Type = grant.Type,
            Description = grant.Description,
            Metadata = grant.Metadata,
            IdempotencyKey = grant.IdempotencyKey,
            Reference = grant.Reference,
            CreatedAt = now.UtcDateTime,
        };
        await Ledger.AppendAsync(row, null, cancellationToken).ConfigureAwait(false);
        if (grant.ExpiresAt is { } expiresAt)
        {
            await CreditLots.AddAsync(db, grant.UserId, row.Id, grant.Amount, expiresAt, now.UtcDateTime, cancellationToken).ConfigureAwait(false);
        }

        await scope.CommitAsync(cancellationToken).ConfigureAwait(false);
        LogGranted(row.UserId, row.Amount, row.Type, row.BalanceAfter);
        telemetry.Granted(row.Type, row.Amount);
        return new CreditTransactionResult { TransactionId = row.Id, Balance = row.BalanceAfter };
    }

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
    private async Task<CreditDeductionResult?> FindDeductionAsync(DeductionRequest usage, bool includeGrants, CancellationToken cancellationToken)
    {
        var key = usage.IdempotencyKey;
        var earlier = await FindUsageAsync(u => u.UserId == usage.UserId && u.IdempotencyKey == key, cancellationToken).ConfigureAwait(false);
        if (earlier is null && includeGrants)
        {
            var holder = await db.Set<CreditTransaction>().AsNoTracking()
                .Where(t => t.UserId == usage.UserId && t.IdempotencyKey == key).Select(t => (CreditTransactionType?)t.Type)
                .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
            // A usage charge seen here and not above committed in between: its usage log is there now.
            earlier = holder == CreditTransactionType.Usage
                ? await FindUsageAsync(u => u.UserId == usage.UserId && u.IdempotencyKey == key, cancellationToken).ConfigureAwait(false)
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

        // The fingerprint: the same key with another request is a conflict, never a replay that runs a new job for free.
        if (earlier.Feature != usage.Feature || earlier.Model != usage.Model || earlier.Prompt != usage.Prompt || earlier.Metadata != usage.Metadata)
        {
            return Conflict();
        }

        LogReplay(usage.UserId, key!);
        return await DeductionOutcomeAsync(earlier, usage.UserId, isReplay: true, cancellationToken).ConfigureAwait(false);

        CreditDeductionResult Conflict()
        {
            LogKeyConflict(usage.UserId, key!);
            return new()
            {
                Success = false,
                CreditsDeducted = 0,
                RemainingBalance = 0,
                Error = CreditDeductionError.IdempotencyKeyConflict,
            };
        }
    }

    /// <summary>
    /// The outcome of this very deduction when its failed commit was applied after all (found by its operation id, the
    /// id of its usage log); <see langword="null"/> when it was not.
    /// </summary>
    private async Task<CreditDeductionResult?> FindAppliedDeductionAsync(DeductionRequest usage, CancellationToken cancellationToken)
    {
        var id = usage.OperationId;
        var applied = await FindUsageAsync(u => u.Id == id, cancellationToken).ConfigureAwait(false);
        if (applied is null)
        {
            return null;
        }

        var result = await DeductionOutcomeAsync(applied, usage.UserId, isReplay: false, cancellationToken).ConfigureAwait(false);
        LogCommitSettled(usage.UserId, id);
        Report(new DeductionOutcome(usage, true, 0, result));
        return result;
    }

    private Task<StoredUsage?> FindUsageAsync(System.Linq.Expressions.Expression<Func<UsageLog, bool>> predicate, CancellationToken cancellationToken) =>
        db.Set<UsageLog>().AsNoTracking().Where(predicate)
            .Select(u => new StoredUsage(u.Id, u.Feature, u.Model, u.Prompt, u.Metadata, u.CreditsUsed, u.TransactionId))
            .FirstOrDefaultAsync(cancellationToken);

    /// <summary>A stored deduction's outcome: its charge and the balance right after it.</summary>
    private async Task<CreditDeductionResult> DeductionOutcomeAsync(StoredUsage stored, string userId, bool isReplay, CancellationToken cancellationToken)
    {
        var balanceAfter = stored.TransactionId is { } transactionId
            ? await db.Set<CreditTransaction>().AsNoTracking().Where(t => t.Id == transactionId).Select(t => t.BalanceAfter)
                .FirstAsync(cancellationToken).ConfigureAwait(false)
            : (await ReadAccountAsync(userId, cancellationToken).ConfigureAwait(false)).Balance;
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

    /// <summary>This very grant's outcome when its failed commit was applied after all (found by the id of its ledger row).</summary>
    private async Task<CreditTransactionResult?> FindAppliedGrantAsync(GrantRequest grant, CancellationToken cancellationToken)
    {
        var id = grant.OperationId;
        var applied = await db.Set<CreditTransaction>().AsNoTracking().Where(t => t.Id == id)
            .Select(t => new { t.Amount, t.Type, t.BalanceAfter }).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        if (applied is null)
        {
            return null;
        }

        LogCommitSettled(grant.UserId, id);
        LogGranted(grant.UserId, applied.Amount, applied.Type, applied.BalanceAfter);
        telemetry.Granted(applied.Type, applied.Amount);
        return new CreditTransactionResult { TransactionId = id, Balance = applied.BalanceAfter };
    }

    /// <summary>The stored outcome of an earlier grant with the same key; throws if the key was used for something else.</summary>
    private async Task<CreditTransactionResult?> FindGrantAsync(GrantRequest grant, CancellationToken cancellationToken)
    {
        var earlier = await db.Set<CreditTransaction>().AsNoTracking()
            .Where(t => t.UserId == grant.UserId && t.IdempotencyKey == grant.IdempotencyKey)
            .Select(t => new { t.Id, t.Amount, t.Type, t.BalanceAfter, t.Description, t.Metadata })
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        if (earlier is null)
        {
            return null;
        }

        // The fingerprint. A key of the library's own names its operation whole (a repair may describe it otherwise);
        // a caller's key stands for the whole request.
        if (earlier.Amount != grant.Amount || earlier.Type != grant.Type
            || (!CreditOperationKeys.IsReserved(grant.IdempotencyKey!) && (earlier.Description != grant.Description || earlier.Metadata != grant.Metadata)))
        {
            LogKeyConflict(grant.UserId, grant.IdempotencyKey!);
            throw new IdempotencyKeyConflictException(grant.UserId, grant.IdempotencyKey!);
        }

        LogReplay(grant.UserId, grant.IdempotencyKey!);
        return new CreditTransactionResult { TransactionId = earlier.Id, Balance = earlier.BalanceAfter, IsReplay = true };
    }

    /// <summary>
    /// Writes what has lapsed for a user whose debit was refused: holds past their expiry (still counted in
    /// <c>credits.reserved</c>) and lots past their expiry (still counted in the balance).
    /// </summary>
    /// <returns>
    /// Whether there was anything lapsed, so the debit is worth trying again (also when a racing transaction wrote
    /// the lapse first: the debit was refused against the state before it).
    /// </returns>
    private async Task<bool> WriteLapsesAsync(string userId, AccountState account, DateTime now, CancellationToken cancellationToken)
    {
        if (!db.Database.IsRelational() || (account.LapsedHolds == 0 && !account.HasLapsedLots))
        {
            return false;
        }

        if (account.LapsedHolds > 0)
        {
            await CreditHolds.ExpireLapsedAsync(db, userId, now, cancellationToken).ConfigureAwait(false);
        }

        if (account.HasLapsedLots)
        {
            telemetry.Expired(await CreditLots.ExpireLapsedAsync(db, userId, now, cancellationToken).ConfigureAwait(false));
        }

        return true;
    }

    /// <summary>
    /// Reads balance, spendable credits and the admin flag: one built-once statement with a LEFT JOIN on both primary
    /// keys (two index lookups; <see cref="CreditLedger.ReadAccountAsync"/>). Only users with holds or expiring credits
    /// cost more: holds past their expiry are not counted as held, and credits past their expiry are not counted at
    /// all, even before the sweeper writes them.
    /// </summary>
    private async Task<AccountState> ReadAccountAsync(string userId, CancellationToken cancellationToken)
    {
        var row = await Ledger.ReadAccountAsync(userId, cancellationToken).ConfigureAwait(false);
        if (row is not { Balance: { } balance } account)
        {
            return new AccountState(0, 0, row?.IsAdmin ?? false, 0, false, null);
        }

        var now = time.GetUtcNow().UtcDateTime;
        var reserved = account.Reserved;
        long lapsedHolds = 0;
        if (reserved > 0)
        {
            lapsedHolds = await db.Set<CreditReservation>().AsNoTracking()
                .Where(r => r.UserId == userId && r.Status == ReservationStatus.Active && r.ExpiresAt <= now)
                .SumAsync(r => r.Amount, cancellationToken).ConfigureAwait(false);
        }

        var headroom = balance - (reserved - lapsedHolds);
        long expirable = 0;
        CreditExpiration? next = null;
        if (account.NextExpiryAt is not null)
        {
            var lots = await db.Set<CreditGrant>().AsNoTracking()
                .Where(g => g.UserId == userId && g.Remaining > 0)
                .OrderBy(g => g.ExpiresAt)
                .Select(g => new { g.Remaining, g.ExpiresAt })
                .ToListAsync(cancellationToken).ConfigureAwait(false);
            expirable = Math.Min(lots.Where(l => l.ExpiresAt <= now).Sum(l => l.Remaining), Math.Max(0, headroom));
            next = lots.Where(l => l.ExpiresAt > now).GroupBy(l => l.ExpiresAt).Select(g => new CreditExpiration(g.Sum(l => l.Remaining), Utc(g.Key))).FirstOrDefault();
        }

        return new AccountState(balance - expirable, headroom - expirable, account.IsAdmin, lapsedHolds, account.NextExpiryAt <= now, next);
    }

    /// <summary>A new operation id: the time-ordered id of the row the operation writes, chosen before its first attempt.</summary>
    private Guid NewOperationId() => Guid.CreateVersion7(time.GetUtcNow());

    private bool IsConfiguredAdmin(string userId) => options.Value.AdminUserIds.Contains(userId);

    private bool CanRetry(int attempt, CancellationToken cancellationToken) =>
        attempt < MaxAttempts && !cancellationToken.IsCancellationRequested && db.Database.CurrentTransaction is null;

    private string? Truncate(string? prompt)
    {
        var max = options.Value.MaxPromptLength;
        return prompt is not null && prompt.Length > max ? prompt[..max] : prompt;
    }

    private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));

    [LoggerMessage(EventId = 1001, Level = LogLevel.Debug, Message = "Deducted {Credits} credits from {UserId} for {Feature}/{Model}; balance {Balance}, unlimited {IsUnlimited}")]
    private partial void LogDeducted(string userId, string feature, string model, long credits, long balance, bool isUnlimited);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "Insufficient credits: {UserId} needs {Price} for {Feature}/{Model} and has {Available}")]
    private partial void LogInsufficient(string userId, string feature, string model, long price, long available);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Information, Message = "Granted {Amount} credits ({Type}) to {UserId}; balance {Balance}")]
    private partial void LogGranted(string userId, long amount, CreditTransactionType type, long balance);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Debug, Message = "Replayed the outcome stored for idempotency key {IdempotencyKey} of {UserId}")]
    private partial void LogReplay(string userId, string idempotencyKey);

    [LoggerMessage(EventId = 1008, Level = LogLevel.Warning, Message = "Idempotency key {IdempotencyKey} of {UserId} was used for another request; refused as a conflict")]
    private partial void LogKeyConflict(string userId, string idempotencyKey);

    [LoggerMessage(EventId = 1009, Level = LogLevel.Warning, Message = "The commit of operation {OperationId} of {UserId} failed, but it was applied: its stored outcome is returned")]
    private partial void LogCommitSettled(string userId, Guid operationId);

    [LoggerMessage(EventId = 1010, Level = LogLevel.Error, Message = "Writing the lapsed credits of {UserId} failed; the sweep goes on with the other users")]
    private partial void LogExpiryFailed(string userId, Exception exception);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Debug, Message = "Credit operation of {UserId} lost a race (attempt {Attempt}) and is retried: {Reason}")]
    private partial void LogRetry(string userId, int attempt, string reason);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Warning, Message = "A batch of {Count} deductions was rolled back when one of them failed; the others run on their own: {Reason}")]
    private partial void LogBatchRolledBack(int count, string reason);

    private sealed record StoredUsage(Guid Id, string Feature, string Model, string? Prompt, string? Metadata, long CreditsUsed, Guid? TransactionId);

    private readonly record struct AccountState(long Balance, long Available, bool IsAdmin, long LapsedHolds, bool HasLapsedLots, CreditExpiration? NextExpiration);

    /// <summary>
    /// What a batch of deductions did: every result once committed, or, when it was rolled back, the one that failed
    /// (-1 when that is not known: one statement for several) and why.
    /// </summary>
    internal sealed record DeductionBatchOutcome(CreditDeductionResult[]? Results, int FailedIndex, Exception? Failure);

    /// <summary>What one deduction did inside its transaction: its result, whether it wrote anything, and (when refused) the credits it found.</summary>
    private readonly record struct DeductionOutcome(DeductionRequest Request, bool Wrote, long Available, CreditDeductionResult Result);

    /// <summary>
    /// A validated deduction. Its operation id is the id of the usage log it writes (and the charge id that of its
    /// ledger row), chosen once for every attempt, alone or in a batch: a failed commit is settled by looking it up,
    /// never by charging again.
    /// </summary>
    internal sealed record DeductionRequest(string UserId, string Feature, string Model, long Price, string? Prompt, string? Metadata,
        string? IdempotencyKey, Guid OperationId, Guid ChargeId);

    /// <summary>A validated grant; its operation id is the id of the ledger row it writes, chosen once for every attempt.</summary>
    private sealed record GrantRequest(string UserId, long Amount, CreditTransactionType Type, string Description, string? Metadata,
        string? IdempotencyKey, string? Reference, DateTime? ExpiresAt, Guid OperationId);
}
