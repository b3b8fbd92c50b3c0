namespace MediaForge.Credits.Gifts;

/// <summary>Reads of gift rows and their caller's view.</summary>
internal static class CreditGiftRows
{
    public static Task<CreditGiftRow?> FindAsync(DbContext db, Guid giftId, CancellationToken cancellationToken) =>
        db.Set<CreditGiftRow>().AsNoTracking().FirstOrDefaultAsync(g => g.Id == giftId, cancellationToken);

    /// <summary>The id of the gift a paid gift purchase made (one at most: a unique index), or <see langword="null"/>.</summary>
    public static Task<Guid?> IdOfPurchaseAsync(DbContext db, Guid purchaseId, CancellationToken cancellationToken) =>
        db.Set<CreditGiftRow>().AsNoTracking().Where(g => g.PurchaseId == purchaseId).Select(g => (Guid?)g.Id).FirstOrDefaultAsync(cancellationToken);

    /// <summary>The caller's view of a stored row (never its code hash or key).</summary>
    public static CreditGift ToGift(CreditGiftRow row) => new()
    {
        Id = row.Id,
        SenderId = row.SenderId,
        RecipientId = row.RecipientId,
        Amount = row.Amount,
        RedeemedAmount = row.RedeemedAmount,
        Message = row.Message,
        Status = row.Status,
        PurchaseId = row.PurchaseId,
        CreatedAt = Utc(row.CreatedAt),
        ExpiresAt = Utc(row.ExpiresAt),
        SettledAt = row.SettledAt is { } settled ? Utc(settled) : null,
    };

    private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));
}
