using MediaForge.Credits.Expiry;
using MediaForge.Credits.Holds;

namespace MediaForge.Credits.Gifts;

/// <summary>
/// The gift row as a hold on the sender's credits: creating it adds its amount to <c>credits.reserved</c> if the
/// sender's spendable credits cover it (admins included: a gift holds real credits); cancelling, expiring or revoking it
/// first wins the conditional status change from <see cref="CreditGiftStatus.Pending"/> on the gift row, then frees the
/// amount on the sender's balance row, in that order (the order of redemptions and purchase reversals too), so exactly
/// one ending applies, once.
/// </summary>
internal sealed class CreditGiftHold(CreditsDbContextHandle handle, CreditAccountReader accounts, TimeProvider time)
{
    private readonly DbContext db = handle.Context;

    /// <summary>Inside a transaction: the replay of the sender's key, or the hold and the new row.</summary>
    public async Task<CreditGiftResult> CreateAsync(CreditGiftRequest request, TimeSpan defaultLifetime, CancellationToken cancellationToken)
    {
        if (request.IdempotencyKey is not null && await db.Set<CreditGiftRow>().AsNoTracking()
                .FirstOrDefaultAsync(g => g.SenderId == request.SenderId && g.IdempotencyKey == request.IdempotencyKey, cancellationToken)
                .ConfigureAwait(false) is { } earlier)
        {
            return request.IsSameRequest(earlier)
                ? await ReplayAsync(earlier, request, cancellationToken).ConfigureAwait(false)
                : Refused(CreditGiftError.IdempotencyKeyConflict);
        }

        var now = time.GetUtcNow().UtcDateTime;
        // Refused: write what has lapsed (the sender's gifts, then holds and credits past their expiry), then try once more.
        if (!(await accounts.TryDebitAfterLapsesAsync(request.SenderId, request.Amount, now, ct => TryHoldAsync(request.SenderId, request.Amount, now, ct),
                cancellationToken, writeOwnLapses: ct => ExpireLapsedAsync(request.SenderId, now, ct)).ConfigureAwait(false)).Debited)
        {
            return Refused(CreditGiftError.InsufficientCredits);
        }

        var row = new CreditGiftRow
        {
            Id = request.Id,
            SenderId = request.SenderId,
            Amount = request.Amount,
            CodeHash = request.CodeHash,
            Message = request.Message,
            Status = CreditGiftStatus.Pending,
            IdempotencyKey = request.IdempotencyKey,
            ExpiresAt = request.ExpiresAt ?? now + defaultLifetime,
            CreatedAt = now,
            UpdatedAt = now,
        };
        await db.InsertDetachedAsync(row, cancellationToken).ConfigureAwait(false);
        return new CreditGiftResult { Success = true, Error = CreditGiftError.None, Gift = CreditGiftRows.ToGift(row), Code = request.Code };
    }

    /// <summary>
    /// Holds a bought pack's credits (just granted to the buyer in this transaction) under a new gift without a code the
    /// buyer has seen: the buyer gets one from <see cref="ICreditGiftService.ReissueCodeAsync"/>. The hold is not
    /// conditional: the credits were minted for the gift.
    /// </summary>
    public async Task HoldPurchaseAsync(CreditPurchase purchase, TimeSpan lifetime, DateTime now, CancellationToken cancellationToken)
    {
        var row = new CreditGiftRow
        {
            Id = CreditAttempts.NewOperationId(time),
            SenderId = purchase.UserId,
            Amount = purchase.Credits,
            CodeHash = CreditGiftCodes.New().Hash,
            Status = CreditGiftStatus.Pending,
            PurchaseId = purchase.Id,
            ExpiresAt = now + lifetime,
            CreatedAt = now,
            UpdatedAt = now,
        };
        await db.Set<CreditAccount>().Where(a => a.UserId == purchase.UserId)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.Reserved, a => a.Reserved + purchase.Credits).SetProperty(a => a.UpdatedAt, now), cancellationToken)
            .ConfigureAwait(false);
        await db.InsertDetachedAsync(row, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Ends a pending gift as <paramref name="to"/> (cancelled: only before its expiry; expired: only after it; revoked:
    /// either) and frees its credits.
    /// </summary>
    /// <returns>Whether this call made the change.</returns>
    public async Task<bool> EndAsync(Guid giftId, string senderId, long amount, CreditGiftStatus to, DateTime now, CancellationToken cancellationToken)
    {
        var pending = db.Set<CreditGiftRow>().Where(g => g.Id == giftId && g.Status == CreditGiftStatus.Pending);
        pending = to switch
        {
            // Stryker disable once Equality : a cancel asks for Cancelled only when ExpiresAt > now with this same now, so ExpiresAt == now never reaches it
            CreditGiftStatus.Cancelled => pending.Where(g => g.ExpiresAt > now),
            CreditGiftStatus.Expired => pending.Where(g => g.ExpiresAt <= now),
            _ => pending,
        };
        if (await pending.ExecuteUpdateAsync(s => s.SetProperty(g => g.Status, to).SetProperty(g => g.SettledAt, now).SetProperty(g => g.UpdatedAt, now),
                cancellationToken).ConfigureAwait(false) == 0)
        {
            return false;
        }

        await CreditHolds.FreeAsync(db, senderId, amount, now, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// Inside a transaction: cancels the sender's pending gift before its expiry and frees its credits; past its expiry
    /// the expiry wins (the gift ends as expired, and the answer is <see cref="CreditGiftError.NotPending"/>).
    /// </summary>
    public async Task<CreditGiftCancellation> CancelAsync(Guid giftId, string senderId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var gift = await CreditGiftRows.FindAsync(db, giftId, cancellationToken).ConfigureAwait(false);
        if (gift is null || gift.SenderId != senderId)
        {
            return new CreditGiftCancellation(Refused(CreditGiftError.NotFound), null);
        }

        var to = gift.ExpiresAt <= now ? CreditGiftStatus.Expired : CreditGiftStatus.Cancelled;
        var ended = await EndAsync(gift.Id, gift.SenderId, gift.Amount, to, now, cancellationToken).ConfigureAwait(false);
        var current = (await CreditGiftRows.FindAsync(db, giftId, cancellationToken).ConfigureAwait(false))!;
        return new CreditGiftCancellation(Answer(current, ended && to == CreditGiftStatus.Cancelled), ended ? to : null);
    }

    /// <summary>
    /// Settles a cancel whose commit failed, from the gift's state before the transaction and now: <see langword="null"/>
    /// (the failure is thrown, the caller retries) while the gift is still pending or is not the sender's; otherwise the
    /// cancel's answer: cancelled by it when the gift was pending before and is cancelled now, not pending otherwise.
    /// </summary>
    public async Task<CreditGiftCancellation?> CancelledAsync(Guid giftId, string senderId, bool wasPending, CancellationToken cancellationToken)
    {
        var gift = await CreditGiftRows.FindAsync(db, giftId, cancellationToken).ConfigureAwait(false);
        if (gift is null || gift.SenderId != senderId || gift.Status == CreditGiftStatus.Pending)
        {
            return null;
        }

        var cancelled = wasPending && gift.Status == CreditGiftStatus.Cancelled;
        return new CreditGiftCancellation(Answer(gift, cancelled), cancelled ? CreditGiftStatus.Cancelled : null);
    }

    /// <summary>Expires the sender's pending gifts past their expiry (so their credits count again before the sweeper gets to them).</summary>
    public async Task ExpireLapsedAsync(string senderId, DateTime now, CancellationToken cancellationToken)
    {
        var lapsed = await db.Set<CreditGiftRow>().AsNoTracking()
            .Where(g => g.SenderId == senderId && g.Status == CreditGiftStatus.Pending && g.ExpiresAt <= now)
            .Select(g => new { g.Id, g.Amount }).ToListAsync(cancellationToken).ConfigureAwait(false);
        foreach (var gift in lapsed)
        {
            await EndAsync(gift.Id, senderId, gift.Amount, CreditGiftStatus.Expired, now, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Gives a pending gift a new code; <see langword="false"/> when it is not the sender's pending, unexpired gift.</summary>
    public async Task<bool> ReplaceCodeAsync(Guid giftId, string senderId, string codeHash, DateTime now, CancellationToken cancellationToken) =>
        await db.Set<CreditGiftRow>()
            .Where(g => g.Id == giftId && g.SenderId == senderId && g.Status == CreditGiftStatus.Pending && g.ExpiresAt > now)
            .ExecuteUpdateAsync(s => s.SetProperty(g => g.CodeHash, codeHash).SetProperty(g => g.UpdatedAt, now), cancellationToken)
            .ConfigureAwait(false) == 1;

    /// <summary>A replay: the same gift; while it is pending, with the request's fresh code (the earlier stops working).</summary>
    private async Task<CreditGiftResult> ReplayAsync(CreditGiftRow earlier, CreditGiftRequest request, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var fresh = await ReplaceCodeAsync(earlier.Id, earlier.SenderId, request.CodeHash, now, cancellationToken).ConfigureAwait(false);
        return new CreditGiftResult
        {
            Success = true,
            Error = CreditGiftError.None,
            Gift = CreditGiftRows.ToGift(earlier),
            Code = fresh ? request.Code : null,
            IsReplay = true,
        };
    }

    /// <summary>Holds the amount if the sender's spendable credits cover it and none has lapsed unrecorded; admins are held too.</summary>
    private async Task<bool> TryHoldAsync(string senderId, long amount, DateTime now, CancellationToken cancellationToken) =>
        await db.Set<CreditAccount>()
            .Where(a => a.UserId == senderId && a.Balance - a.Reserved >= amount && (a.NextExpiryAt == null || a.NextExpiryAt > now))
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.Reserved, a => a.Reserved + amount).SetProperty(a => a.UpdatedAt, now), cancellationToken)
            .ConfigureAwait(false) == 1;

    private static CreditGiftResult Answer(CreditGiftRow gift, bool cancelled) => new()
    {
        Success = cancelled,
        Error = cancelled ? CreditGiftError.None : CreditGiftError.NotPending,
        Gift = CreditGiftRows.ToGift(gift),
    };

    private static CreditGiftResult Refused(CreditGiftError error) => new() { Success = false, Error = error };
}

/// <summary>A cancel's answer, and how this call ended the gift (<see langword="null"/> when it did not).</summary>
internal sealed record CreditGiftCancellation(CreditGiftResult Result, CreditGiftStatus? Ended);
