namespace MediaForge.Credits;

/// <summary>One purchase of a credit pack as callers see it.</summary>
public sealed record CreditPurchaseEntry
{
    /// <summary>The purchase id.</summary>
    public required Guid Id { get; init; }

    /// <summary>The buyer.</summary>
    public required string UserId { get; init; }

    /// <summary>The package bought.</summary>
    public required string PackageId { get; init; }

    /// <summary>Packs bought (1 for an ordinary purchase); <see langword="null"/> for a custom credit amount.</summary>
    public int? Quantity { get; init; } = 1;

    /// <summary>Credits granted (or to be granted).</summary>
    public required long Credits { get; init; }

    /// <summary>Amount charged in minor units (cents).</summary>
    public required long AmountCents { get; init; }

    /// <summary>ISO 4217 currency code, lower case.</summary>
    public required string Currency { get; init; }

    /// <summary>Where the purchase stands.</summary>
    public required PurchaseStatus Status { get; init; }

    /// <summary>When it started.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the credits were granted, if they were.</summary>
    public DateTimeOffset? CompletedAt { get; init; }

    /// <summary>Whether the pack was bought as a gift (<see cref="ICreditPurchaseService.StartGiftPurchaseAsync"/>).</summary>
    public bool IsGift { get; init; }

    /// <summary>For a purchase for a team's wallet, the owner or admin who started it; <see langword="null"/> for a user's own.</summary>
    public string? PurchasedBy { get; init; }

    /// <summary>The caller's view of a stored row.</summary>
    internal static CreditPurchaseEntry From(CreditPurchase p) => new()
    {
        Id = p.Id,
        UserId = p.UserId,
        PackageId = p.PackageId,
        Quantity = p.Quantity,
        Credits = p.Credits,
        AmountCents = p.AmountCents,
        Currency = p.Currency,
        Status = p.Status,
        CreatedAt = new DateTimeOffset(DateTime.SpecifyKind(p.CreatedAt, DateTimeKind.Utc)),
        PurchasedBy = p.PurchasedBy,
        CompletedAt = p.CompletedAt is { } completed ? new DateTimeOffset(DateTime.SpecifyKind(completed, DateTimeKind.Utc)) : null,
        IsGift = p.IsGift,
    };
}
