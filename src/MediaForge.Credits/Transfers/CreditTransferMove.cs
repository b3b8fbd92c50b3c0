using MediaForge.Credits.Events;
using MediaForge.Credits.Expiry;
using MediaForge.Credits.Holds;

namespace MediaForge.Credits.Transfers;

/// <summary>
/// The statements of one transfer, inside the transaction <see cref="CreditTransfers"/> opened: both balance rows
/// locked in user id order, the sender's conditional debit (spendable credits only, admins included), the sender's credits
/// taken by the burn rule, the recipient credited with lots of the same categories and expiry dates, and the ledger rows.
/// </summary>
internal sealed class CreditTransferMove(
    CreditsDbContextHandle handle,
    CreditLedger ledger,
    CreditAccountReader accounts,
    Categories.CreditBurnOrder burnOrder,
    TimeProvider time,
    IOptions<CreditsOptions> options,
    ILogger<CreditService> logger)
{
    private readonly DbContext db = handle.Context;

    public async Task<CreditTransferResult> MoveAsync(CreditTransferRequest request, CancellationToken cancellationToken)
    {
        if (request.IdempotencyKey is not null && await FindKeyAsync(request, cancellationToken).ConfigureAwait(false) is { } earlier)
        {
            return earlier;
        }

        var now = time.GetUtcNow().UtcDateTime;
        if (await LockBothAsync(request.From, request.To, now, cancellationToken).ConfigureAwait(false) == 0)
        {
            return Refused(0);
        }

        var debited = (await accounts.TryDebitAfterLapsesAsync(request.From, request.Amount, now, ct => TryDebitAsync(request, now, ct), cancellationToken)
            .ConfigureAwait(false)).Debited;

        var sender = await db.Set<CreditAccount>().AsNoTracking().Where(a => a.UserId == request.From)
            .Select(a => new { a.Balance, a.NextExpiryAt }).FirstAsync(cancellationToken).ConfigureAwait(false);
        if (!debited)
        {
            return Refused(sender.Balance);
        }

        var recipientBalance = await CompleteDebitedAsync(request, sender.Balance, sender.NextExpiryAt, now, cancellationToken).ConfigureAwait(false);
        return new CreditTransferResult
        {
            Success = true,
            Error = CreditTransferError.None,
            TransferOutId = request.OutId,
            TransferInId = request.InId,
            SenderBalance = sender.Balance,
            RecipientBalance = recipientBalance,
        };

        CreditTransferResult Refused(long balance) =>
            new() { Success = false, Error = CreditTransferError.InsufficientCredits, SenderBalance = balance };
    }

    /// <summary>
    /// Creates the recipient's rows if missing, then locks both balance rows in one order for every move (ordinal user
    /// id), so A->B and B->A never wait on each other. The creation comes first: locking a row that does not exist yet
    /// locks nothing, so a move that found no row, then created it while holding the sender's lock, waited for a row a
    /// later move had locked in the right order (a deadlock, seen with 20 racing replays of one transfer key). Created
    /// first, its insert waits at most for a racing creation of the same row, holding nothing.
    /// </summary>
    /// <returns>How many sender rows were locked: 0 when the sender has no balance row.</returns>
    public async Task<int> LockBothAsync(string from, string to, DateTime now, CancellationToken cancellationToken)
    {
        await ledger.EnsureAccountAsync(to, now, cancellationToken).ConfigureAwait(false);
        var (senderLocked, _) = await CreditHolds.LockBalanceRowsAsync(db, from, to, now, cancellationToken).ConfigureAwait(false);
        return senderLocked;
    }

    /// <summary>
    /// The rest of a move whose sender's balance row was already debited by <paramref name="request"/>'s amount (a transfer's
    /// conditional debit, or a redeemed gift's freed hold): the sender's credits taken by the burn rule, the recipient
    /// credited (<see cref="CreditLimits.MaxBalance"/> in the <c>WHERE</c>) with lots of the same categories and expiry dates,
    /// the <see cref="CreditTransactionType.TransferOut"/> row and the <see cref="CreditTransactionType.TransferIn"/> rows.
    /// </summary>
    /// <returns>The recipient's balance after.</returns>
    public async Task<long> CompleteDebitedAsync(CreditTransferRequest request, long senderBalance, DateTime? senderNextExpiry, DateTime now,
        CancellationToken cancellationToken)
    {
        // The credits that go, by the burn rule of every debit; they keep their category and expiry at the recipient.
        // Stryker disable once Conditional : saves a query; a sender with no next expiry has no lot: all goes from the rest
        IReadOnlyList<CreditLotPortion> portions = senderNextExpiry is null
            ? [new CreditLotPortion(CreditCategory.Paid.Name, burnOrder.RestPriority, CreditGrant.NoExpiry, request.Amount)]
            : await Categories.CreditBurn.ConsumeAsync(db, request.From, request.Amount, burnOrder.RestPriority, now, cancellationToken).ConfigureAwait(false);

        var credited = await ledger.TryCreditAsync(request.To, request.Amount, now, cancellationToken).ConfigureAwait(false)
            ?? throw new ArgumentOutOfRangeException(nameof(request.Amount), request.Amount,
                $"Transferring {request.Amount} credits would take the balance of user '{request.To}' over {CreditLimits.MaxBalance}.");

        await ledger.AppendAsync(Row(request.OutId, request.From, -request.Amount, senderBalance, CreditTransactionType.TransferOut,
            request.Reason, request.OutMetadata, request.InId, now, request.IdempotencyKey), null, cancellationToken).ConfigureAwait(false);
        await CreditInAsync(request, portions, credited.Balance, now, cancellationToken).ConfigureAwait(false);
        // The sender's crossing down raises its alert, the recipient's crossing up arms theirs again.
        var (threshold, at) = (options.Value.Events.LowBalanceThreshold, new DateTimeOffset(now, TimeSpan.Zero));
        await CreditBalanceAlerts.AfterDebitAsync(db, threshold, request.From, senderBalance, request.Amount, at, cancellationToken).ConfigureAwait(false);
        await CreditBalanceAlerts.AfterCreditAsync(db, threshold, request.To, credited.Balance, request.Amount, at, cancellationToken).ConfigureAwait(false);
        return credited.Balance;
    }

    /// <summary>
    /// The outcome of the transfer whose <see cref="CreditTransactionType.TransferOut"/> row is <paramref name="outId"/>;
    /// <see langword="null"/> when there is none. Primary-key lookups, then the recipient's rows of that instant.
    /// </summary>
    public async Task<CreditTransferResult?> FindAsync(Guid outId, bool isReplay, CancellationToken cancellationToken)
    {
        var sent = await db.Set<CreditTransaction>().AsNoTracking().Where(t => t.Id == outId && t.Type == CreditTransactionType.TransferOut)
            .Select(t => new { t.BalanceAfter, t.Reference, t.CreatedAt }).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        if (sent is null || !Guid.TryParse(sent.Reference, out var inId))
        {
            return null;
        }

        var reference = outId.ToString();
        var recipient = await db.Set<CreditTransaction>().AsNoTracking().Where(t => t.Id == inId).Select(t => t.UserId)
            .FirstAsync(cancellationToken).ConfigureAwait(false);
        var received = await db.Set<CreditTransaction>().AsNoTracking()
            .Where(t => t.UserId == recipient && t.CreatedAt == sent.CreatedAt && t.Type == CreditTransactionType.TransferIn && t.Reference == reference)
            .MaxAsync(t => t.BalanceAfter, cancellationToken).ConfigureAwait(false);
        return new CreditTransferResult
        {
            Success = true,
            Error = CreditTransferError.None,
            TransferOutId = outId,
            TransferInId = inId,
            SenderBalance = sent.BalanceAfter,
            RecipientBalance = received,
            IsReplay = isReplay,
        };
    }

    /// <summary>The stored outcome of the sender's earlier transfer with this key, or a conflict when the key was used otherwise.</summary>
    private async Task<CreditTransferResult?> FindKeyAsync(CreditTransferRequest request, CancellationToken cancellationToken)
    {
        var earlier = await db.Set<CreditTransaction>().AsNoTracking()
            .Where(t => t.UserId == request.From && t.IdempotencyKey == request.IdempotencyKey)
            .Select(t => new { t.Id, t.Type, t.Amount, t.Description, t.Metadata })
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        if (earlier is null)
        {
            return null;
        }

        // The fingerprint: the same recipient, amount and reason is a replay; anything else (or another operation's key) a conflict.
        if (earlier.Type == CreditTransactionType.TransferOut && earlier.Amount == -request.Amount
            && earlier.Description == request.Reason && earlier.Metadata == request.OutMetadata)
        {
            return await FindAsync(earlier.Id, isReplay: true, cancellationToken).ConfigureAwait(false);
        }

        CreditLedgerLog.KeyConflict(logger, request.From, request.IdempotencyKey!);
        return new CreditTransferResult { Success = false, Error = CreditTransferError.IdempotencyKeyConflict, SenderBalance = 0 };
    }

    /// <summary>Takes the amount if the sender's spendable credits cover it and none has lapsed unrecorded; admins are charged too.</summary>
    private async Task<bool> TryDebitAsync(CreditTransferRequest request, DateTime now, CancellationToken cancellationToken) =>
        await db.Set<CreditAccount>()
            .Where(a => a.UserId == request.From && a.Balance - a.Reserved >= request.Amount && (a.NextExpiryAt == null || a.NextExpiryAt > now))
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.Balance, a => a.Balance - request.Amount).SetProperty(a => a.UpdatedAt, now), cancellationToken)
            .ConfigureAwait(false) == 1;

    /// <summary>
    /// The recipient's rows: one <see cref="CreditTransactionType.TransferIn"/> row per category, priority and expiry date
    /// taken from the sender (a ledger row has at most one lot), in the order taken, each with its lot unless its
    /// credits are paid ones that never expire (those join the recipient's credits without a lot).
    /// </summary>
    private async Task CreditInAsync(CreditTransferRequest request, IReadOnlyList<CreditLotPortion> portions, long balance, DateTime now,
        CancellationToken cancellationToken)
    {
        var balanceAfter = balance - request.Amount;
        for (var i = 0; i < portions.Count; i++)
        {
            var portion = portions[i];
            var id = i == 0 ? request.InId : CreditAttempts.NewOperationId(time);
            balanceAfter += portion.Amount;
            await ledger.AppendAsync(Row(id, request.To, portion.Amount, balanceAfter, CreditTransactionType.TransferIn, request.Reason, request.InMetadata, request.OutId, now, null),
                null, cancellationToken).ConfigureAwait(false);
            if (Categories.CreditBurnOrder.NeedsLot(portion.Category, portion.ExpiresAt))
            {
                await CreditLots.AddAsync(db, request.To, id, portion, now, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static CreditTransaction Row(Guid id, string userId, long amount, long balanceAfter, CreditTransactionType type, string reason, string metadata,
        Guid counterpart, DateTime now, string? key) => new()
        {
            Id = id,
            UserId = userId,
            Amount = amount,
            BalanceAfter = balanceAfter,
            Type = type,
            Description = reason,
            Metadata = metadata,
            IdempotencyKey = key,
            Reference = counterpart.ToString(),
            CreatedAt = now,
        };
}
