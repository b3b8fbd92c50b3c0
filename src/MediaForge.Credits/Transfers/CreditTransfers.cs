using MediaForge.Credits.Telemetry;

namespace MediaForge.Credits.Transfers;

/// <summary>
/// The transfer pipeline: validates the request, applies the host's switches (on/off, the most per transfer), then runs
/// <see cref="CreditTransferMove"/> in one transaction; a racing duplicate loses on the unique (sender, key) index and
/// then finds the winner's outcome, and a failed commit is settled by the transfer's operation id.
/// </summary>
internal sealed class CreditTransfers(
    CreditsDbContextHandle handle,
    CreditTransferMove move,
    IOptions<CreditsOptions> options,
    TimeProvider time,
    CreditsTelemetry telemetry,
    ILogger<CreditService> logger)
{
    /// <summary>The longest reason, in characters (the ledger's description column).</summary>
    public const int MaxReasonLength = 500;

    private readonly DbContext db = handle.Context;

    public async Task<CreditTransferResult> TransferCreditsAsync(string fromUserId, string toUserId, long amount, string reason,
        string? idempotencyKey, CancellationToken cancellationToken)
    {
        CreditArguments.UserId(fromUserId);
        CreditArguments.UserId(toUserId);
        CreditArguments.Amount(amount);
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        if (reason.Length > MaxReasonLength)
        {
            throw new ArgumentException($"The reason is {reason.Length} characters long; at most {MaxReasonLength} are allowed.", nameof(reason));
        }

        var key = CreditArguments.IdempotencyKey(idempotencyKey);
        if (!db.Database.IsRelational())
        {
            throw new NotSupportedException("Transfers need a relational EF Core provider.");
        }

        using var activity = telemetry.StartTransfer(fromUserId, toUserId, amount);
        var settings = options.Value.Transfers;
        var refusal = !settings.Enabled ? CreditTransferError.TransfersDisabled
            : string.Equals(fromUserId, toUserId, StringComparison.Ordinal) ? CreditTransferError.SameUser
            : amount > settings.MaxTransferAmount ? CreditTransferError.OverMaximum
            : CreditTransferError.None;
        if (refusal != CreditTransferError.None)
        {
            return Refused(new CreditTransferResult { Success = false, Error = refusal, SenderBalance = 0 }, fromUserId, toUserId, amount);
        }

        var request = new CreditTransferRequest(fromUserId, toUserId, amount, reason, key, CreditAttempts.NewOperationId(time), CreditAttempts.NewOperationId(time));
        var result = await CreditTransactions.RunAsync(db, ct => move.MoveAsync(request, ct), cancellationToken, settle: async ct =>
        {
            var applied = await move.FindAsync(request.OutId, isReplay: false, ct).ConfigureAwait(false);
            if (applied is not null)
            {
                CreditLedgerLog.CommitSettled(logger, fromUserId, request.OutId);
            }

            return applied;
        }).ConfigureAwait(false);

        if (!result.Success)
        {
            return Refused(result, fromUserId, toUserId, amount);
        }

        if (result.IsReplay)
        {
            CreditLedgerLog.Replay(logger, fromUserId, key!);
        }
        else
        {
            CreditTransferLog.Transferred(logger, fromUserId, toUserId, amount, result.SenderBalance, result.RecipientBalance);
            telemetry.Transferred(amount);
        }

        return result;
    }

    private CreditTransferResult Refused(CreditTransferResult result, string fromUserId, string toUserId, long amount)
    {
        CreditTransferLog.Refused(logger, fromUserId, toUserId, amount, result.Error);
        telemetry.TransferRefused(result.Error switch
        {
            CreditTransferError.InsufficientCredits => "insufficient_credits",
            CreditTransferError.TransfersDisabled => "transfers_disabled",
            CreditTransferError.OverMaximum => "over_maximum",
            CreditTransferError.SameUser => "same_user",
            _ => "idempotency_key_conflict",
        });
        return result;
    }
}
