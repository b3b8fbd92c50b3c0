namespace MediaForge.Credits.Gifts;

/// <summary>A validated create request; its id, code and hash are chosen once for every attempt of the transaction.</summary>
/// <param name="SenderId">The sender.</param>
/// <param name="Amount">Credits to hold.</param>
/// <param name="ExpiresAt">The sender's expiry (UTC, whole seconds), or <see langword="null"/> for the default lifetime.</param>
/// <param name="Message">The note, or <see langword="null"/>.</param>
/// <param name="IdempotencyKey">The sender's key, or <see langword="null"/>.</param>
/// <param name="Id">The new gift's id.</param>
/// <param name="Code">The code shown to the sender.</param>
/// <param name="CodeHash">Its stored hash.</param>
internal sealed record CreditGiftRequest(string SenderId, long Amount, DateTime? ExpiresAt, string? Message, string? IdempotencyKey, Guid Id,
    string Code, string CodeHash)
{
    /// <summary>Whether <paramref name="earlier"/> (the sender's gift with this key) was made by the same request: a replay, not a conflict.</summary>
    public bool IsSameRequest(CreditGiftRow earlier) =>
        earlier.Amount == Amount && earlier.Message == Message && earlier.PurchaseId is null && (ExpiresAt is null || earlier.ExpiresAt == ExpiresAt);
}
