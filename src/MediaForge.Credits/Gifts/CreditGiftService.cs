using MediaForge.Credits.Telemetry;

namespace MediaForge.Credits.Gifts;

/// <summary>
/// <see cref="ICreditGiftService"/>: bounds, the switch and the most per gift, the redemption rate limit, then one
/// transaction per operation (<see cref="CreditGiftHold"/> for create, cancel, reissue and expiry,
/// <see cref="CreditGiftRedemption"/> for redeem); logs and metrics after the commit.
/// </summary>
internal sealed class CreditGiftService(
    CreditsDbContextHandle handle,
    CreditGiftHold holds,
    CreditGiftRedemption redemptions,
    CreditGiftRedeemLimiter limiter,
    IOptions<CreditsOptions> options,
    TimeProvider time,
    CreditsTelemetry telemetry,
    ILogger<CreditGiftService> logger) : ICreditGiftService
{
    /// <summary>Gifts expired per transaction-by-transaction batch of the sweep.</summary>
    private const int SweepBatch = 500;

    /// <summary>Gifts of each kind <see cref="GetGiftsAsync"/> returns.</summary>
    private const int ListLength = 100;

    private readonly DbContext db = handle.Context;

    private CreditGiftOptions Settings => options.Value.Gifts;

    public async Task<CreditGiftResult> CreateGiftAsync(string senderId, long amount, DateTimeOffset? expiresAt = null, string? message = null,
        string? idempotencyKey = null, CancellationToken cancellationToken = default)
    {
        CreditArguments.UserId(senderId);
        CreditArguments.Amount(amount);
        var key = CreditArguments.IdempotencyKey(idempotencyKey);
        var note = string.IsNullOrWhiteSpace(message) ? null : message.Trim();
        if (note?.Length > Settings.MaxMessageLength)
        {
            throw new ArgumentException($"The message is {note.Length} characters long; at most {Settings.MaxMessageLength} are allowed.", nameof(message));
        }

        var now = time.GetUtcNow();
        DateTime? expiry = expiresAt is { } at ? WholeSeconds(at.UtcDateTime) : null;
        if (expiry <= now.UtcDateTime)
        {
            throw new ArgumentException($"The expiry {expiresAt:O} is not in the future.", nameof(expiresAt));
        }

        if (expiry > (now + Settings.MaxLifetime).UtcDateTime)
        {
            throw new ArgumentOutOfRangeException(nameof(expiresAt), expiresAt, $"A gift expires at most {Settings.MaxLifetime} from now.");
        }

        RequireRelational();
        var refusal = !Settings.Enabled ? CreditGiftError.GiftsDisabled
            : amount > Settings.MaxGiftAmount ? CreditGiftError.OverMaximum
            : CreditGiftError.None;
        if (refusal != CreditGiftError.None)
        {
            return Refused(senderId, refusal);
        }

        var (code, hash) = CreditGiftCodes.New();
        var request = new CreditGiftRequest(senderId, amount, expiry, note, key, CreditAttempts.NewOperationId(time), code, hash);
        var result = await CreditTransactions.RunAsync(db, ct => holds.CreateAsync(request, Settings.DefaultLifetime, ct), cancellationToken,
            settle: async ct => await CreditGiftRows.FindAsync(db, request.Id, ct).ConfigureAwait(false) is { } row
                ? new CreditGiftResult { Success = true, Error = CreditGiftError.None, Gift = CreditGiftRows.ToGift(row), Code = code }
                : null).ConfigureAwait(false);
        if (!result.Success)
        {
            return Refused(senderId, result.Error, result);
        }

        CreditGiftLog.Created(logger, result.Gift!.Id, senderId, amount, result.IsReplay);
        if (!result.IsReplay)
        {
            telemetry.Gift("held", amount);
        }

        return result;
    }

    public async Task<CreditGiftResult> RedeemGiftAsync(string? code, string recipientId, CancellationToken cancellationToken = default)
    {
        CreditArguments.UserId(recipientId);
        RequireRelational();
        if (!Settings.Enabled)
        {
            return Refused(recipientId, CreditGiftError.GiftsDisabled);
        }

        // The limit comes before any lookup, and counts every attempt, malformed codes included.
        if (limiter.TryAcquire(recipientId) is { } retryAfter)
        {
            return Refused(recipientId, CreditGiftError.RateLimited, new CreditGiftResult { Success = false, Error = CreditGiftError.RateLimited, RetryAfter = retryAfter });
        }

        if (CreditGiftCodes.TryHash(code) is not { } hash)
        {
            return Refused(recipientId, CreditGiftError.InvalidCode);
        }

        var inId = CreditAttempts.NewOperationId(time);
        var result = await CreditTransactions.RunAsync(db, ct => redemptions.RedeemAsync(hash, recipientId, inId, ct), cancellationToken,
            settle: ct => redemptions.RedeemedAsync(hash, recipientId, inId, ct)).ConfigureAwait(false);
        if (!result.Success)
        {
            return Refused(recipientId, result.Error);
        }

        var gift = result.Gift!;
        CreditGiftLog.Redeemed(logger, gift.Id, gift.SenderId, recipientId, gift.Amount, gift.RedeemedAmount);
        telemetry.Gift("redeemed", gift.RedeemedAmount);
        return result;
    }

    public async Task<CreditGiftResult> CancelGiftAsync(Guid giftId, string senderId, CancellationToken cancellationToken = default)
    {
        CreditArguments.UserId(senderId);
        RequireRelational();
        if (!Settings.Enabled)
        {
            return Refused(senderId, CreditGiftError.GiftsDisabled);
        }

        // A failed commit is settled by the gift's state before and after: pending then ended, this cancel ended it (0029).
        var wasPending = (await CreditGiftRows.FindAsync(db, giftId, cancellationToken).ConfigureAwait(false))?.Status == CreditGiftStatus.Pending;
        var result = await CreditTransactions.RunAsync(db, ct => holds.CancelAsync(giftId, senderId, ct), cancellationToken,
            settle: ct => holds.CancelledAsync(giftId, senderId, wasPending, ct)).ConfigureAwait(false);
        if (result.Ended is { } status)
        {
            Returned(result.Result.Gift!, status);
        }

        return result.Result.Success ? result.Result : Refused(senderId, result.Result.Error, result.Result);
    }

    public async Task<CreditGiftResult> ReissueCodeAsync(Guid giftId, string senderId, CancellationToken cancellationToken = default)
    {
        CreditArguments.UserId(senderId);
        RequireRelational();
        if (!Settings.Enabled)
        {
            return Refused(senderId, CreditGiftError.GiftsDisabled);
        }

        var (code, hash) = CreditGiftCodes.New();
        var replaced = await holds.ReplaceCodeAsync(giftId, senderId, hash, time.GetUtcNow().UtcDateTime, cancellationToken).ConfigureAwait(false);
        var gift = await CreditGiftRows.FindAsync(db, giftId, cancellationToken).ConfigureAwait(false);
        if (gift is null || gift.SenderId != senderId)
        {
            return Refused(senderId, CreditGiftError.NotFound);
        }

        if (!replaced)
        {
            return Refused(senderId, CreditGiftError.NotPending, new CreditGiftResult { Success = false, Error = CreditGiftError.NotPending, Gift = CreditGiftRows.ToGift(gift) });
        }

        CreditGiftLog.Reissued(logger, giftId, senderId);
        return new CreditGiftResult { Success = true, Error = CreditGiftError.None, Gift = CreditGiftRows.ToGift(gift), Code = code };
    }

    public async Task<CreditGiftList> GetGiftsAsync(string userId, CancellationToken cancellationToken = default)
    {
        CreditArguments.UserId(userId);
        RequireRelational();
        var gifts = db.Set<CreditGiftRow>().AsNoTracking();
        var sent = await gifts.Where(g => g.SenderId == userId).OrderByDescending(g => g.CreatedAt).ThenByDescending(g => g.Id)
            .Take(ListLength).ToListAsync(cancellationToken).ConfigureAwait(false);
        var received = await gifts.Where(g => g.RecipientId == userId).OrderByDescending(g => g.SettledAt).ThenByDescending(g => g.Id)
            .Take(ListLength).ToListAsync(cancellationToken).ConfigureAwait(false);
        return new CreditGiftList { Sent = sent.ConvertAll(CreditGiftRows.ToGift), Received = received.ConvertAll(CreditGiftRows.ToGift) };
    }

    public async Task<int> ExpireGiftsAsync(CancellationToken cancellationToken = default)
    {
        // Stryker disable once Block : saves a query; no gift row exists without SQL (every gift write needs it), so the sweep finds none
        if (!db.Database.IsRelational())
        {
            return 0;
        }

        var expired = 0;
        while (true)
        {
            var now = time.GetUtcNow().UtcDateTime;
            var lapsed = await db.Set<CreditGiftRow>().AsNoTracking()
                .Where(g => g.Status == CreditGiftStatus.Pending && g.ExpiresAt <= now)
                .OrderBy(g => g.ExpiresAt).Take(SweepBatch).ToListAsync(cancellationToken).ConfigureAwait(false);
            var ended = 0;
            foreach (var gift in lapsed)
            {
                try
                {
                    if (await CreditTransactions.RunAsync(db, ct => holds.EndAsync(gift.Id, gift.SenderId, gift.Amount, CreditGiftStatus.Expired, now, ct),
                            cancellationToken).ConfigureAwait(false))
                    {
                        ended++;
                        Returned(CreditGiftRows.ToGift(gift), CreditGiftStatus.Expired);
                    }
                }
                catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    // One gift's failure does not stop the sweep; the next sweep tries again.
                    CreditGiftLog.ExpiryFailed(logger, gift.Id, exception);
                }
            }

            expired += ended;
            // A full batch of which some ended: there may be more. (A batch that ended none would only be read again.)
            if (lapsed.Count < SweepBatch || ended == 0)
            {
                return expired;
            }
        }
    }

    private void Returned(CreditGift gift, CreditGiftStatus status)
    {
        CreditGiftLog.Returned(logger, gift.Id, gift.SenderId, status, gift.Amount);
        telemetry.Gift("returned", gift.Amount);
    }

    private CreditGiftResult Refused(string userId, CreditGiftError error, CreditGiftResult? result = null)
    {
        CreditGiftLog.Refused(logger, userId, error);
        telemetry.GiftRefused(error switch
        {
            CreditGiftError.GiftsDisabled => "gifts_disabled",
            CreditGiftError.InsufficientCredits => "insufficient_credits",
            CreditGiftError.OverMaximum => "over_maximum",
            CreditGiftError.IdempotencyKeyConflict => "idempotency_key_conflict",
            CreditGiftError.InvalidCode => "invalid_code",
            CreditGiftError.OwnGift => "own_gift",
            CreditGiftError.RateLimited => "rate_limited",
            CreditGiftError.NotFound => "not_found",
            _ => "not_pending",
        });
        return result ?? new CreditGiftResult { Success = false, Error = error };
    }

    private void RequireRelational()
    {
        if (!db.Database.IsRelational())
        {
            throw new NotSupportedException("Gifts need a relational EF Core provider.");
        }
    }

    private static DateTime WholeSeconds(DateTime utc) => new(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);
}
