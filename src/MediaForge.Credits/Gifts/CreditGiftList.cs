namespace MediaForge.Credits;

/// <summary>A user's gifts (<see cref="ICreditGiftService.GetGiftsAsync"/>), newest first, without codes.</summary>
public sealed record CreditGiftList
{
    /// <summary>Gifts the user made or bought.</summary>
    public required IReadOnlyList<CreditGift> Sent { get; init; }

    /// <summary>Gifts the user redeemed.</summary>
    public required IReadOnlyList<CreditGift> Received { get; init; }
}
