namespace MediaForge.Credits.AspNetCore;

/// <summary>Body of <c>POST /api/credits/gifts</c>.</summary>
/// <param name="Amount">Credits to give from the signed-in user's spendable credits: 1 to <see cref="CreditGiftOptions.MaxGiftAmount"/>.</param>
/// <param name="ExpiresAt">When an unredeemed gift goes back to the sender; default now + <see cref="CreditGiftOptions.DefaultLifetime"/>.</param>
/// <param name="Message">A note to the recipient, at most <see cref="CreditGiftOptions.MaxMessageLength"/> characters.</param>
public sealed record CreateCreditGiftRequest(long Amount, DateTimeOffset? ExpiresAt = null, string? Message = null);

/// <summary>Body of <c>POST /api/credits/gifts/redeem</c>.</summary>
/// <param name="Code">The gift's code (at most 64 characters; dashes, spaces and case do not matter).</param>
public sealed record RedeemCreditGiftRequest(string? Code);

/// <summary>
/// A gift as the HTTP endpoints show it to its sender or recipient: never its code hash, and never the other party's
/// user id.
/// </summary>
/// <param name="Id">The gift id (for <c>DELETE /api/credits/gifts/{id}</c> and <c>POST /api/credits/gifts/{id}/code</c>).</param>
/// <param name="Amount">Credits given.</param>
/// <param name="RedeemedAmount">Credits the recipient received (0 until redeemed).</param>
/// <param name="Message">The sender's note, if any.</param>
/// <param name="Status">Where the gift stands.</param>
/// <param name="PurchaseId">The purchase that paid for it, for a gift bought at checkout.</param>
/// <param name="CreatedAt">When it was made (UTC).</param>
/// <param name="ExpiresAt">When an unredeemed gift goes back to the sender (UTC).</param>
/// <param name="SettledAt">When it was redeemed, cancelled, expired or revoked (UTC).</param>
public sealed record CreditGiftResponse(Guid Id, long Amount, long RedeemedAmount, string? Message, CreditGiftStatus Status,
    Guid? PurchaseId, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, DateTimeOffset? SettledAt)
{
    internal static CreditGiftResponse From(CreditGift gift) => new(gift.Id, gift.Amount, gift.RedeemedAmount, gift.Message, gift.Status,
        gift.PurchaseId, gift.CreatedAt, gift.ExpiresAt, gift.SettledAt);
}

/// <summary>
/// Answer of <c>POST /api/credits/gifts</c> and <c>POST /api/credits/gifts/{id}/code</c>: the gift with a code that
/// works from now on (any earlier code of the gift stops working) and its absolute link.
/// </summary>
/// <param name="Gift">The gift.</param>
/// <param name="Code">The code to hand to the recipient; shown here only, stored hashed.</param>
/// <param name="Link">The absolute gift link (the configured public address + <see cref="CreditGiftOptions.LinkPath"/> + <c>?gift=CODE</c>, never the request's host).</param>
/// <param name="IsReplay">Whether this answers an earlier create with the same <c>Idempotency-Key</c> (no credits were held now).</param>
public sealed record CreditGiftCodeResponse(CreditGiftResponse Gift, string Code, string Link, bool IsReplay);

/// <summary>Answer of <c>GET /api/credits/gifts</c>: the signed-in user's gifts, newest first, without codes.</summary>
/// <param name="Sent">Gifts the user made or bought (at most 100).</param>
/// <param name="Received">Gifts the user redeemed (at most 100).</param>
public sealed record CreditGiftsResponse(IReadOnlyList<CreditGiftResponse> Sent, IReadOnlyList<CreditGiftResponse> Received);
