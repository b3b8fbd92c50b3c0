namespace MediaForge.Credits;

/// <summary>The outcome of <see cref="ICreditReservationService.ReserveCreditsAsync"/>.</summary>
public sealed record CreditReservationResult
{
    /// <summary>Whether the credits are held.</summary>
    public required bool Success { get; init; }

    /// <summary>The hold, when it succeeded.</summary>
    public Guid? ReservationId { get; init; }

    /// <summary>Credits held (0 for unlimited users and failures).</summary>
    public required long Amount { get; init; }

    /// <summary>When the hold lapses, when it succeeded.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>Credits still spendable after the hold (on failure: what the user had).</summary>
    public required long Available { get; init; }

    /// <summary>Why it failed, or <see cref="CreditDeductionError.None"/>.</summary>
    public required CreditDeductionError Error { get; init; }

    /// <summary>Whether this is the stored outcome of an earlier call with the same idempotency key.</summary>
    public bool IsReplay { get; init; }
}
