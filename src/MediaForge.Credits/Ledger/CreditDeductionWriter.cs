using MediaForge.Credits.Events;
using MediaForge.Credits.Expiry;
using MediaForge.Credits.Telemetry;

namespace MediaForge.Credits.Ledger;

/// <summary>
/// Writes a deduction's rows inside an open transaction: the conditional debit (after writing lapses it found, if it
/// was refused), the lots it consumes, the ledger row and the usage log; for one deduction or, in one statement, for
/// the first deductions of several users. Logs nothing until <see cref="Report"/>, once the transaction has ended.
/// </summary>
internal sealed class CreditDeductionWriter(
    CreditsDbContextHandle handle,
    CreditLedger ledger,
    CreditAccountReader accounts,
    CreditDeductionReplays replays,
    IOptions<CreditsOptions> options,
    Categories.CreditBurnOrder burnOrder,
    TopUps.CreditTopUpTriggers topUps,
    TimeProvider time,
    CreditsTelemetry telemetry,
    ILogger<CreditService> logger)
{
    private readonly DbContext db = handle.Context;

    /// <summary>The statements of one deduction inside an open transaction.</summary>
    public async Task<CreditDeductionOutcome> ApplyAsync(CreditDeductionRequest usage, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var (row, charge) = UsageRows(usage, now);
        if (IsConfiguredAdmin(usage.UserId))
        {
            return await ApplyUnlimitedAsync(usage, row, now, cancellationToken).ConfigureAwait(false);
        }

        // The fewest statements the database allows: debit, ledger row and usage log in one (PostgreSQL), or as a batch
        // of one (SQLite: the debit counts the use, so the append needs no lookups; MariaDB: the debit skips a used key and
        // the rows are appended as alone), unless lots must be consumed first.
        var appended = ledger.CanDebitAndAppend || ledger.CanDebitAndAppendMany;
        // Stryker disable once Conditional : equivalent: where the ledger has the one-statement deduction, the batch statement of one gives the same rows and result
        var debited = ledger.CanDebitAndAppend ? await ledger.TryDebitAndAppendAsync(charge, row, now.UtcDateTime, cancellationToken).ConfigureAwait(false)
            : appended ? (await ledger.TryDebitAndAppendManyAsync([charge], [row], cancellationToken).ConfigureAwait(false))[0]
            : await ledger.TryDebitAsync(usage.UserId, usage.Price, now.UtcDateTime, cancellationToken).ConfigureAwait(false);
        return await FinishAsync(usage, row, charge, now, debited, appended, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// <see cref="ApplyAsync"/> for deductions of different users, with one statement for all their first
    /// debits (see <see cref="CreditLedger.TryDebitAndAppendManyAsync"/>); each one refused there, or with lots to
    /// consume, goes on as it would alone. Configured admins run alone.
    /// </summary>
    public async Task ApplyManyAsync(IReadOnlyList<CreditDeductionRequest> batch, IReadOnlyList<int> members, CreditDeductionOutcome[] outcomes, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var charged = new List<int>(members.Count);
        var rows = new List<UsageLog>(members.Count);
        var charges = new List<CreditTransaction>(members.Count);
        foreach (var i in members)
        {
            if (IsConfiguredAdmin(batch[i].UserId))
            {
                outcomes[i] = await ApplyAsync(batch[i], cancellationToken).ConfigureAwait(false);
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

        var debits = await ledger.TryDebitAndAppendManyAsync(charges, rows, cancellationToken).ConfigureAwait(false);
        for (var k = 0; k < charged.Count; k++)
        {
            outcomes[charged[k]] = await FinishAsync(batch[charged[k]], rows[k], charges[k], now, debits[k], appended: true, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Logs and counts a deduction whose transaction has ended.</summary>
    public void Report(CreditDeductionOutcome outcome)
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
            CreditLedgerLog.Insufficient(logger, usage.UserId, usage.Feature, usage.Model, usage.Price, outcome.Available);
            telemetry.DeductionRejected(usage.Feature, usage.Model, "insufficient_credits");
            return;
        }

        var unlimited = result.TransactionId is null;
        CreditLedgerLog.Deducted(logger, usage.UserId, usage.Feature, usage.Model, result.CreditsDeducted, result.RemainingBalance, unlimited);
        telemetry.Deducted(usage.Feature, usage.Model, result.CreditsDeducted, unlimited);
    }

    /// <summary>The usage log and ledger row of a charged deduction at <paramref name="now"/>.</summary>
    public static (UsageLog Row, CreditTransaction Charge) UsageRows(CreditDeductionRequest usage, DateTimeOffset now)
    {
        var row = new UsageLog
        {
            Id = usage.OperationId,
            UserId = usage.UserId,
            MemberId = usage.MemberId,
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
    private async Task<CreditDeductionOutcome> FinishAsync(CreditDeductionRequest usage, UsageLog row, CreditTransaction charge, DateTimeOffset now,
        LedgerBalance? debited, bool appended, CancellationToken cancellationToken)
    {
        // Not debited: its key may have been used (the statements skip such deductions), then the earlier outcome stands.
        if (debited is null && usage.IdempotencyKey is not null
            && await replays.FindAsync(usage, includeGrants: true, cancellationToken).ConfigureAwait(false) is { } earlier)
        {
            // Stryker disable once Boolean : equivalent: a replay wrote nothing, so committing its transaction or not is the same
            return new CreditDeductionOutcome(usage, false, 0, earlier);
        }

        var attempt = default(CreditDebitAttempt);
        if (debited is null)
        {
            // Stryker disable once Boolean,Equality : equivalent in outcome: firstRefused and adminsUnlimited false, as annotated in TryDebitAfterLapsesAsync (a refused debit refused again; an admin's debit refused again after lapses the sweeper writes anyway); the debit's flag inverted, as this writer reads `debited`, and the account read before the lapses already counts them as lapsed
            attempt = await accounts.TryDebitAfterLapsesAsync(usage.UserId, usage.Price, now.UtcDateTime,
                async ct => (debited = await ledger.TryDebitAsync(usage.UserId, usage.Price, now.UtcDateTime, ct).ConfigureAwait(false)) is not null,
                cancellationToken, firstRefused: true, adminsUnlimited: true).ConfigureAwait(false);
            appended = appended && !attempt.LapsesWritten;
        }

        if (debited is not null)
        {
            charge.BalanceAfter = debited.Balance;
            if (debited.NextExpiryAt is not null)
            {
                await Categories.CreditBurn.ConsumeAsync(db, usage.UserId, usage.Price, burnOrder.RestPriority, now.UtcDateTime, cancellationToken).ConfigureAwait(false);
            }

            if (!appended || !debited.Appended)
            {
                await ledger.AppendAsync(charge, row, cancellationToken).ConfigureAwait(false);
            }

            await CreditBalanceAlerts.AfterDebitAsync(db, options.Value.Events.LowBalanceThreshold, usage.UserId, debited.Balance, usage.Price, now,
                cancellationToken).ConfigureAwait(false);
            await topUps.AfterDebitAsync(db, usage.UserId, debited.Balance, usage.Price, now, cancellationToken).ConfigureAwait(false);

            return Charged(usage, row, charge);
        }

        if (!attempt.Account.IsAdmin)
        {
            // Lapses just written are kept (committed) even though the deduction itself is refused.
            return new CreditDeductionOutcome(usage, attempt.LapsesWritten, attempt.Account.Available, new CreditDeductionResult
            {
                Success = false,
                CreditsDeducted = 0,
                RemainingBalance = attempt.Account.Balance,
                Error = CreditDeductionError.InsufficientCredits,
            });
        }

        return await ApplyUnlimitedAsync(usage, row, now, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Unlimited (admin): the usage is logged, nothing is charged.</summary>
    private async Task<CreditDeductionOutcome> ApplyUnlimitedAsync(CreditDeductionRequest usage, UsageLog row, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await ledger.EnsureAccountAsync(usage.UserId, now.UtcDateTime, cancellationToken).ConfigureAwait(false);
        row.CreditsUsed = 0;
        row.IsUnlimited = true;
        row.TransactionId = null;
        await ledger.AppendAsync(null, row, cancellationToken).ConfigureAwait(false);
        return Charged(usage, row, null, (await accounts.ReadAsync(usage.UserId, cancellationToken).ConfigureAwait(false)).Balance);
    }

    /// <summary>The outcome of a deduction whose rows were written (<paramref name="ledgerRow"/> null: unlimited, <paramref name="balance"/> given).</summary>
    public static CreditDeductionOutcome Charged(CreditDeductionRequest usage, UsageLog logged, CreditTransaction? ledgerRow, long? balance = null) =>
        new(usage, true, 0, new CreditDeductionResult
        {
            Success = true,
            CreditsDeducted = logged.CreditsUsed,
            RemainingBalance = balance ?? ledgerRow!.BalanceAfter,
            Error = CreditDeductionError.None,
            TransactionId = ledgerRow?.Id,
            UsageLogId = logged.Id,
        });

    private bool IsConfiguredAdmin(string userId) => options.Value.AdminUserIds.Contains(userId);
}
