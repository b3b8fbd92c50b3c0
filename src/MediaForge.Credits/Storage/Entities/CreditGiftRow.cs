namespace MediaForge.Credits.Entities;

/// <summary>
/// One gift (table <c>credit_gifts</c>). While <see cref="CreditGiftStatus.Pending"/> the row is itself the hold on the
/// sender's credits: its <see cref="Amount"/> counts in <c>credits.reserved</c>. Every status change is a conditional
/// update from <see cref="CreditGiftStatus.Pending"/>, so exactly one of redeem, cancel, expiry and revocation happens.
/// Internal: hosts read gifts through <see cref="ICreditGiftService"/>.
/// </summary>
internal sealed class CreditGiftRow
{
    /// <summary>The gift id (a time-ordered GUID); also the id of the sender's <c>TransferOut</c> row once redeemed.</summary>
    public Guid Id { get; set; }

    /// <summary>The user whose credits are held (for a bought gift, the buyer).</summary>
    public string SenderId { get; set; } = "";

    /// <summary>The user who redeemed it.</summary>
    public string? RecipientId { get; set; }

    /// <summary>Credits held.</summary>
    public long Amount { get; set; }

    /// <summary>Credits the recipient received.</summary>
    public long RedeemedAmount { get; set; }

    /// <summary>SHA-256 (lower-case hex) of the code's canonical form (unique).</summary>
    public string CodeHash { get; set; } = "";

    /// <summary>The sender's note.</summary>
    public string? Message { get; set; }

    /// <summary>Where the gift stands (stored as its number).</summary>
    public CreditGiftStatus Status { get; set; }

    /// <summary>The purchase that paid for it (unique when set).</summary>
    public Guid? PurchaseId { get; set; }

    /// <summary>The sender's idempotency key (unique per sender when set).</summary>
    public string? IdempotencyKey { get; set; }

    /// <summary>When an unredeemed gift goes back to the sender (UTC).</summary>
    public DateTime ExpiresAt { get; set; }

    /// <summary>When it was made (UTC).</summary>
    public DateTime CreatedAt { get; set; }

    /// <summary>When it was redeemed, cancelled, expired or revoked (UTC).</summary>
    public DateTime? SettledAt { get; set; }

    /// <summary>The last change (UTC); also the no-op update that locks the row.</summary>
    public DateTime UpdatedAt { get; set; }
}
