using System.Data.Common;
using MediaForge.Credits.Teams;
using MediaForge.Credits.Telemetry;

namespace MediaForge.Credits.Ledger;

/// <summary>
/// The deduction pipeline: validates and prices the request, replays a used key, and runs the deduction through the
/// batcher or on its own (<see cref="CreditDeductionWriter"/> writes its rows). Each movement is one transaction; a
/// retry with the same key finds the stored outcome, racing duplicates lose on the unique (user, key) index and then
/// find the winner's outcome, and a failed commit is settled by the deduction's operation id.
/// </summary>
internal sealed class CreditDeductions(
    CreditsDbContextHandle handle,
    CreditLedger ledger,
    CreditDeductionWriter writer,
    CreditTeamDeductionWriter teamWriter,
    CreditTeamSpending spending,
    CreditDeductionReplays replays,
    ICreditCatalog catalog,
    IOptions<CreditsOptions> options,
    TimeProvider time,
    CreditsTelemetry telemetry,
    ILogger<CreditService> logger,
    CreditDeductionBatch alone,
    CreditDeductionBatcher? batcher = null)
{
    private readonly DbContext db = handle.Context;

    public async Task<CreditDeductionResult> DeductCreditsAsync(string userId, string feature, string model,
        string? prompt, object? metadata, string? idempotencyKey, CancellationToken cancellationToken, CreditWallet wallet = default)
    {
        CreditArguments.UserId(userId);
        if (wallet.IsTeam)
        {
            spending.EnsureEnabled();
        }

        using var measurement = telemetry.MeasureDeduction(userId, feature, model);
        var usage = new CreditDeductionRequest(
            CreditWalletAccounts.For(userId, wallet),
            CreditArguments.Name(feature, nameof(feature)),
            CreditArguments.Name(model, nameof(model)),
            await catalog.GetPriceAsync(feature, model, cancellationToken).ConfigureAwait(false),
            Truncate(prompt),
            CreditArguments.Metadata(metadata),
            CreditArguments.IdempotencyKey(idempotencyKey),
            CreditAttempts.NewOperationId(time),
            CreditAttempts.NewOperationId(time),
            wallet.IsTeam ? userId : null);

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                if (attempt == 1 && CanCoalesce(usage)
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
            catch (DbException exception) when (CreditAttempts.CanRetry(db, attempt, cancellationToken, exception))
            {
                if (usage.IdempotencyKey is not null
                    && await replays.FindAsync(usage, includeGrants: true, cancellationToken).ConfigureAwait(false) is { } replay)
                {
                    return replay;
                }

                CreditLedgerLog.Retry(logger, userId, attempt, exception.Message);
            }
        }
    }

    /// <summary>
    /// Whether this deduction may share a transaction with other callers': on a relational database, when coalescing
    /// is on and the caller has no transaction of its own open (a host's transaction is joined instead). A team
    /// deduction only under <see cref="CreditTeamFundingPolicy.TeamOnly"/>: it then touches the member's row and the
    /// wallet's only, and a refusal writes nothing the batch must undo; a split use (two wallets, a part debited
    /// before the other is refused) runs alone, where a refusal rolls back its own transaction.
    /// </summary>
    private bool CanCoalesce(CreditDeductionRequest usage) =>
        (usage.MemberId is null || options.Value.Teams.FundingPolicy == CreditTeamFundingPolicy.TeamOnly)
        && batcher is not null && options.Value.CoalesceDeductions && db.Database.CurrentTransaction is null
        && System.Transactions.Transaction.Current is null && db.Database.IsRelational();

    /// <summary>
    /// The deduction through the batcher; <see langword="null"/> when it has to run on its own after all. Where the
    /// batch's statements skip a deduction whose key was used (PostgreSQL, SQLite), the earlier outcome is looked up in
    /// the batch, only then; elsewhere before queueing.
    /// </summary>
    private async Task<CreditDeductionResult?> DeductCoalescedAsync(CreditDeductionRequest usage, CancellationToken cancellationToken)
    {
        // Stryker disable once Equality,Boolean : runs only on a relational provider without the library's SQL (not SQLite, PostgreSQL or MariaDB), which no test database is
        if (usage.IdempotencyKey is not null && !ledger.CanDebitAndAppendMany
            && await replays.FindAsync(usage, includeGrants: false, cancellationToken).ConfigureAwait(false) is { } replay)
        {
            return replay;
        }

        var lanes = CreditLedgerSql.For(db).DeductionLanes;
        using (var turn = batcher!.TryTakeIdleLane(usage.UserId, lanes))
        {
            if (turn is not null)
            {
                // Nobody to share a transaction with: written here as a batch of one, exactly as the lane's writer would
                // (once begun it completes), without handing it to the writer and back through the thread pool.
                var outcome = await alone.DeductAsync([usage], CancellationToken.None).ConfigureAwait(false);
                if (outcome.IsFailureOf(0))
                {
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(outcome.Failure!);
                }

                return outcome.Results?[0];
            }
        }

        return await batcher.DeductAsync(usage, lanes, cancellationToken).ConfigureAwait(false);
    }

    private async Task<CreditDeductionResult> DeductOnceAsync(CreditDeductionRequest usage, CancellationToken cancellationToken)
    {
        // The replay lookup runs before the transaction: on SQLite nothing else may write while it holds the lock, so
        // reads stay out of it. A duplicate that commits in between loses on the unique key and is replayed then.
        // Stryker disable once Boolean : equivalent in outcome: a grant's key found here answers the same conflict the look-up after the refused insert answers
        if (usage.IdempotencyKey is not null
            && await replays.FindAsync(usage, includeGrants: false, cancellationToken).ConfigureAwait(false) is { } replay)
        {
            return replay;
        }

        // A team's wallet locks the member's row first, then the balance rows.
        await using var scope = await ledger.BeginAsync(cancellationToken).ConfigureAwait(false);
        var outcome = usage.MemberId is null
            ? await writer.ApplyAsync(usage, cancellationToken).ConfigureAwait(false)
            : await teamWriter.ApplyAsync(usage, cancellationToken).ConfigureAwait(false);
        if (outcome.Wrote)
        {
            await scope.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        Report(outcome);
        return outcome.Result;
    }

    /// <summary>
    /// The outcome of this very deduction when its failed commit was applied after all (found by its operation id, the
    /// id of its usage log); <see langword="null"/> when it was not.
    /// </summary>
    private async Task<CreditDeductionResult?> FindAppliedDeductionAsync(CreditDeductionRequest usage, CancellationToken cancellationToken)
    {
        var id = usage.OperationId;
        var result = await replays.FindByUsageLogAsync(id, usage.UserId, cancellationToken).ConfigureAwait(false);
        if (result is null)
        {
            return null;
        }

        CreditLedgerLog.CommitSettled(logger, usage.UserId, id);
        // Stryker disable once Boolean : equivalent: Report reads the request and the result only
        Report(new CreditDeductionOutcome(usage, true, 0, result));
        return result;
    }

    private void Report(CreditDeductionOutcome outcome)
    {
        if (outcome.Request.MemberId is null)
        {
            writer.Report(outcome);
        }
        else
        {
            teamWriter.Report(outcome);
        }
    }

    private string? Truncate(string? prompt)
    {
        var max = options.Value.MaxPromptLength;
        // Stryker disable once Equality : equivalent: a prompt of exactly the maximum cut to the maximum is the same prompt
        return prompt is not null && prompt.Length > max ? prompt[..max] : prompt;
    }
}
