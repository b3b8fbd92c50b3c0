using MediaForge.Credits.Holds;
using MediaForge.Credits.Transfers;

namespace MediaForge.Credits.Gifts;

/// <summary>
/// The statements of one redemption, inside the transaction <see cref="CreditGiftService"/> opened: the gift row won
/// first (pending, this code, not expired, not the sender's own), then both balance rows locked in user id order, the
/// hold freed, and the credits moved the transfer way (<see cref="CreditTransferMove.CompleteDebitedAsync"/>: lots keep
/// their expiry, soonest first; <c>TransferOut</c> and <c>TransferIn</c> rows naming the gift). When a clawback took held
/// credits meanwhile, the recipient gets what is left of the sender's balance, at most the gift.
/// </summary>
internal sealed class CreditGiftRedemption(CreditsDbContextHandle handle, CreditTransferMove move, TimeProvider time)
{
    /// <summary>The description of a redemption's ledger rows.</summary>
    public const string Reason = "Gift";

    private readonly DbContext db = handle.Context;

    public async Task<CreditGiftResult> RedeemAsync(string codeHash, string recipientId, Guid inId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var gift = await db.Set<CreditGiftRow>().AsNoTracking().Where(g => g.CodeHash == codeHash)
            .Select(g => new { g.Id, g.SenderId, g.Amount, g.Status, g.ExpiresAt }).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        if (gift is null || gift.Status != CreditGiftStatus.Pending || gift.ExpiresAt <= now)
        {
            return Refused(CreditGiftError.InvalidCode);
        }

        if (string.Equals(gift.SenderId, recipientId, StringComparison.Ordinal))
        {
            return Refused(CreditGiftError.OwnGift);
        }

        // The gift row first: of racing redemptions, cancels, sweeps and purchase reversals exactly one wins it.
        if (await db.Set<CreditGiftRow>()
                .Where(g => g.Id == gift.Id && g.CodeHash == codeHash && g.Status == CreditGiftStatus.Pending && g.ExpiresAt > now)
                .ExecuteUpdateAsync(s => s.SetProperty(g => g.Status, CreditGiftStatus.Redeemed).SetProperty(g => g.SettledAt, now)
                    .SetProperty(g => g.UpdatedAt, now), cancellationToken).ConfigureAwait(false) == 0)
        {
            return Refused(CreditGiftError.InvalidCode);
        }

        await move.LockBothAsync(gift.SenderId, recipientId, now, cancellationToken).ConfigureAwait(false);
        await CreditHolds.FreeAsync(db, gift.SenderId, gift.Amount, now, cancellationToken).ConfigureAwait(false);
        var sender = await db.Set<CreditAccount>().AsNoTracking().Where(a => a.UserId == gift.SenderId)
            .Select(a => new { a.Balance, a.NextExpiryAt }).FirstAsync(cancellationToken).ConfigureAwait(false);
        var moved = Math.Min(gift.Amount, Math.Max(0, sender.Balance));
        if (moved > 0)
        {
            await db.Set<CreditAccount>().Where(a => a.UserId == gift.SenderId)
                .ExecuteUpdateAsync(s => s.SetProperty(a => a.Balance, a => a.Balance - moved), cancellationToken).ConfigureAwait(false);
            var request = new CreditTransferRequest(gift.SenderId, recipientId, moved, Reason, null, gift.Id, inId, gift.Id);
            await move.CompleteDebitedAsync(request, sender.Balance - moved, sender.NextExpiryAt, now, cancellationToken).ConfigureAwait(false);
        }

        // The recipient is named once its user row exists (created with the account above when it was new).
        await db.Set<CreditGiftRow>().Where(g => g.Id == gift.Id)
            .ExecuteUpdateAsync(s => s.SetProperty(g => g.RecipientId, recipientId).SetProperty(g => g.RedeemedAmount, moved), cancellationToken)
            .ConfigureAwait(false);
        return (await RedeemedAsync(codeHash, recipientId, cancellationToken).ConfigureAwait(false))!;
    }

    /// <summary>
    /// Settles a redemption whose commit failed, by its operation id (the id of its <c>TransferIn</c> row, chosen before
    /// its first attempt): the redeemed gift when that row exists, otherwise <see langword="null"/> (not applied, or it
    /// moved nothing; the failure is thrown and a retry answers <see cref="CreditGiftError.InvalidCode"/>). Not by the
    /// gift's state: a refused redemption of a gift this recipient redeemed before would be answered as a success.
    /// </summary>
    public async Task<CreditGiftResult?> RedeemedAsync(string codeHash, string recipientId, Guid inId, CancellationToken cancellationToken) =>
        await db.Set<CreditTransaction>().AsNoTracking().AnyAsync(t => t.Id == inId && t.UserId == recipientId, cancellationToken).ConfigureAwait(false)
            ? await RedeemedAsync(codeHash, recipientId, cancellationToken).ConfigureAwait(false)
            : null;

    /// <summary>The gift with this code as redeemed by <paramref name="recipientId"/>.</summary>
    private async Task<CreditGiftResult?> RedeemedAsync(string codeHash, string recipientId, CancellationToken cancellationToken) =>
        await db.Set<CreditGiftRow>().AsNoTracking().FirstOrDefaultAsync(g => g.CodeHash == codeHash, cancellationToken).ConfigureAwait(false)
            is { Status: CreditGiftStatus.Redeemed } row && row.RecipientId == recipientId
            ? new CreditGiftResult { Success = true, Error = CreditGiftError.None, Gift = CreditGiftRows.ToGift(row) }
            : null;

    private static CreditGiftResult Refused(CreditGiftError error) => new() { Success = false, Error = error };
}
