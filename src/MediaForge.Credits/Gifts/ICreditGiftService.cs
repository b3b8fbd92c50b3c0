namespace MediaForge.Credits;

/// <summary>
/// Gifts of credits: the sender's credits are held under a gift with an unguessable code (shown once, stored as its
/// SHA-256 hash); the first redemption moves them to the recipient, once; a cancel or the gift's expiry gives them back
/// to the sender, once. Every refusal is a result value. A wrong, used, cancelled or expired code gives one answer,
/// <see cref="CreditGiftError.InvalidCode"/>, so codes cannot be probed.
/// </summary>
public interface ICreditGiftService
{
    /// <summary>
    /// Holds <paramref name="amount"/> of the sender's spendable credits (balance less held and lapsed credits) under a
    /// new gift and returns it with its code. A replay with the same key and the same request returns the same gift
    /// with a fresh code while the gift is unredeemed (the earlier code stops working), so a lost response never
    /// strands the credits.
    /// </summary>
    /// <param name="senderId">The user who gives.</param>
    /// <param name="amount">Credits to give: 1 to <see cref="CreditGiftOptions.MaxGiftAmount"/>.</param>
    /// <param name="expiresAt">When an unredeemed gift goes back to the sender; default now + <see cref="CreditGiftOptions.DefaultLifetime"/>, at most <see cref="CreditGiftOptions.MaxLifetime"/>.</param>
    /// <param name="message">A note to the recipient, at most <see cref="CreditGiftOptions.MaxMessageLength"/> characters.</param>
    /// <param name="idempotencyKey">The sender's key for this gift (at most 255 characters), or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The gift and its code, or why not.</returns>
    /// <exception cref="ArgumentException">An empty or too long id, key or message, or an expiry in the past.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An amount below 1 or over <see cref="CreditLimits.MaxAmount"/>.</exception>
    Task<CreditGiftResult> CreateGiftAsync(string senderId, long amount, DateTimeOffset? expiresAt = null, string? message = null,
        string? idempotencyKey = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Redeems the gift with <paramref name="code"/> for <paramref name="recipientId"/>: the held credits move once,
    /// with their expiry dates. Rate-limited per recipient (<see cref="CreditGiftOptions.RedeemAttemptsPerWindow"/>).
    /// </summary>
    /// <param name="code">The code (untrusted input; anything malformed is <see cref="CreditGiftError.InvalidCode"/>).</param>
    /// <param name="recipientId">The user who redeems.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The redeemed gift, or why not.</returns>
    /// <exception cref="ArgumentException">An empty or too long user id.</exception>
    Task<CreditGiftResult> RedeemGiftAsync(string? code, string recipientId, CancellationToken cancellationToken = default);

    /// <summary>Cancels the sender's unredeemed gift: its held credits are the sender's to spend again, once.</summary>
    /// <param name="giftId">The gift.</param>
    /// <param name="senderId">The user who gave it; anyone else gets <see cref="CreditGiftError.NotFound"/>.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The cancelled gift, or why not.</returns>
    /// <exception cref="ArgumentException">An empty or too long user id.</exception>
    Task<CreditGiftResult> CancelGiftAsync(Guid giftId, string senderId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Gives the sender's unredeemed gift a fresh code; the earlier code stops working. This is how a buyer sees the code
    /// of a gift bought at checkout (fulfilled by a webhook, away from the buyer) and how a lost code is replaced.
    /// </summary>
    /// <param name="giftId">The gift.</param>
    /// <param name="senderId">The user who gave it; anyone else gets <see cref="CreditGiftError.NotFound"/>.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The gift with its new code, or why not (<see cref="CreditGiftError.NotPending"/> once settled).</returns>
    /// <exception cref="ArgumentException">An empty or too long user id.</exception>
    Task<CreditGiftResult> ReissueCodeAsync(Guid giftId, string senderId, CancellationToken cancellationToken = default);

    /// <summary>The gifts the user sent and received, newest first, without codes.</summary>
    /// <param name="userId">The user.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The gifts (at most 100 of each kind).</returns>
    /// <exception cref="ArgumentException">An empty or too long user id.</exception>
    Task<CreditGiftList> GetGiftsAsync(string userId, CancellationToken cancellationToken = default);

    /// <summary>Gives every unredeemed gift past its expiry back to its sender, once (the hosted sweeper calls this).</summary>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>How many gifts expired.</returns>
    Task<int> ExpireGiftsAsync(CancellationToken cancellationToken = default);
}
