namespace MediaForge.Credits;

/// <summary>The outcome of completing a purchase.</summary>
public sealed record PurchaseFulfilmentResult
{
    /// <summary>What happened.</summary>
    public required PurchaseFulfilmentOutcome Outcome { get; init; }

    /// <summary>The purchase, when found.</summary>
    public CreditPurchaseEntry? Purchase { get; init; }

    /// <summary>The buyer, when found.</summary>
    public string? UserId { get; init; }

    /// <summary>The grant's ledger row, when granted (now or before).</summary>
    public Guid? TransactionId { get; init; }

    /// <summary>The buyer's balance right after the grant, when granted (now or before).</summary>
    public long? Balance { get; init; }

    /// <summary>For a pack bought as a gift, when granted (now or before): the gift that holds its credits.</summary>
    public Guid? GiftId { get; init; }

    /// <summary>Why a mismatch was refused.</summary>
    public string? Detail { get; init; }
}
