namespace MediaForge.Credits.Gifts;

/// <summary>
/// The gift side of a refund or lost dispute of a pack bought as a gift, inside the reversal's transaction: the gift row
/// is locked first (the order of redemptions, so a redemption racing the reversal waits or makes it wait, never
/// deadlocks), then the reversal takes the credits from whoever holds them: the buyer while the gift is not redeemed
/// (a pending gift is revoked first, freeing its hold), the recipient once it is.
/// </summary>
internal sealed class CreditGiftReversals(CreditsDbContextHandle handle, CreditGiftHold holds, TimeProvider time, ILogger<CreditGiftService> logger)
{
    private readonly DbContext db = handle.Context;

    /// <summary>Locks the gift of the purchase (a no-op update of its row) and reads it; <see langword="null"/> when the purchase has none.</summary>
    public async Task<CreditGiftHolding?> LockAsync(Guid purchaseId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var gifts = db.Set<CreditGiftRow>().Where(g => g.PurchaseId == purchaseId);
        if (await gifts.ExecuteUpdateAsync(s => s.SetProperty(g => g.UpdatedAt, now), cancellationToken).ConfigureAwait(false) == 0)
        {
            return null;
        }

        var gift = await gifts.AsNoTracking().FirstAsync(cancellationToken).ConfigureAwait(false);
        if (gift is not { Status: CreditGiftStatus.Redeemed, RecipientId: { } recipient })
        {
            return new CreditGiftHolding(gift, null, null);
        }

        // The recipient's first row of the redemption: its lot is taken first by a clawback, so other lots keep their expiry.
        var reference = gift.Id.ToString();
        var received = await db.Set<CreditTransaction>().AsNoTracking()
            .Where(t => t.UserId == recipient && t.Type == CreditTransactionType.TransferIn && t.Reference == reference)
            .OrderBy(t => t.Id).Select(t => (Guid?)t.Id).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        return new CreditGiftHolding(gift, recipient, received);
    }

    /// <summary>Revokes the gift if it is still pending (its hold freed), so the buyer's credits can be clawed back or frozen.</summary>
    public async Task RevokeAsync(CreditGiftHolding holding, CancellationToken cancellationToken)
    {
        var gift = holding.Gift;
        if (gift.Status == CreditGiftStatus.Pending
            && await holds.EndAsync(gift.Id, gift.SenderId, gift.Amount, CreditGiftStatus.Revoked, time.GetUtcNow().UtcDateTime, cancellationToken).ConfigureAwait(false))
        {
            CreditGiftLog.Returned(logger, gift.Id, gift.SenderId, CreditGiftStatus.Revoked, gift.Amount);
        }
    }
}

/// <summary>A bought gift as its purchase's reversal sees it.</summary>
/// <param name="Gift">The row, read under its lock.</param>
/// <param name="Recipient">The user who holds the credits now, when the gift was redeemed.</param>
/// <param name="ReceivedTransactionId">The recipient's first <see cref="CreditTransactionType.TransferIn"/> row of it.</param>
internal sealed record CreditGiftHolding(CreditGiftRow Gift, string? Recipient, Guid? ReceivedTransactionId)
{
    /// <summary>The most a clawback may take from the recipient: what was redeemed less what was clawed back before.</summary>
    public long RecipientCap(long clawedBackBefore) => Math.Max(0, Gift.RedeemedAmount - clawedBackBefore);
}
