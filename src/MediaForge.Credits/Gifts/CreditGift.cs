namespace MediaForge.Credits;

/// <summary>A gift as its sender or recipient sees it (never with its code hash).</summary>
public sealed record CreditGift
{
    /// <summary>The gift id.</summary>
    public required Guid Id { get; init; }

    /// <summary>The user who gave it (for a bought gift, the buyer).</summary>
    public required string SenderId { get; init; }

    /// <summary>The user who redeemed it, once redeemed.</summary>
    public string? RecipientId { get; init; }

    /// <summary>Credits given.</summary>
    public required long Amount { get; init; }

    /// <summary>Credits the recipient received (0 until redeemed; less than <see cref="Amount"/> only when a clawback took held credits first).</summary>
    public long RedeemedAmount { get; init; }

    /// <summary>The sender's note, if any.</summary>
    public string? Message { get; init; }

    /// <summary>Where the gift stands.</summary>
    public required CreditGiftStatus Status { get; init; }

    /// <summary>The purchase that paid for it, for a gift bought at checkout.</summary>
    public Guid? PurchaseId { get; init; }

    /// <summary>When it was made (UTC).</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When an unredeemed gift goes back to the sender (UTC).</summary>
    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>When it was redeemed, cancelled, expired or revoked (UTC).</summary>
    public DateTimeOffset? SettledAt { get; init; }
}
