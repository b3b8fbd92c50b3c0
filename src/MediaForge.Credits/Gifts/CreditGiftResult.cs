namespace MediaForge.Credits;

/// <summary>The outcome of a <see cref="ICreditGiftService"/> operation.</summary>
public sealed record CreditGiftResult
{
    /// <summary>Whether it took place (or, on a replay, took place the first time).</summary>
    public required bool Success { get; init; }

    /// <summary>Why not, or <see cref="CreditGiftError.None"/>.</summary>
    public required CreditGiftError Error { get; init; }

    /// <summary>The gift, when there is one to show this caller.</summary>
    public CreditGift? Gift { get; init; }

    /// <summary>The code to hand to the recipient: set only by <see cref="ICreditGiftService.CreateGiftAsync"/> (and its replays) and <see cref="ICreditGiftService.ReissueCodeAsync"/>.</summary>
    public string? Code { get; init; }

    /// <summary>Whether this is the outcome of an earlier create with the same idempotency key (no credits were held now).</summary>
    public bool IsReplay { get; init; }

    /// <summary>With <see cref="CreditGiftError.RateLimited"/>: when the user may try again.</summary>
    public TimeSpan? RetryAfter { get; init; }
}
