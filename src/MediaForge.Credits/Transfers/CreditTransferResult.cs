namespace MediaForge.Credits;

/// <summary>The outcome of <see cref="ICreditService.TransferCreditsAsync"/>.</summary>
public sealed record CreditTransferResult
{
    /// <summary>Whether the credits moved (or, on a replay, moved the first time).</summary>
    public required bool Success { get; init; }

    /// <summary>Why the transfer was refused, or <see cref="CreditTransferError.None"/>.</summary>
    public required CreditTransferError Error { get; init; }

    /// <summary>The sender's <see cref="CreditTransactionType.TransferOut"/> ledger row, when the transfer took place.</summary>
    public Guid? TransferOutId { get; init; }

    /// <summary>
    /// The recipient's <see cref="CreditTransactionType.TransferIn"/> ledger row (the first one, when the credits moved
    /// with several expiry dates), when the transfer took place.
    /// </summary>
    public Guid? TransferInId { get; init; }

    /// <summary>The sender's balance right after the transfer (refused: the balance as it is; 0 when not read).</summary>
    public required long SenderBalance { get; init; }

    /// <summary>The recipient's balance right after the transfer (0 when refused).</summary>
    public long RecipientBalance { get; init; }

    /// <summary>Whether this is the stored outcome of an earlier call with the same idempotency key (nothing moved now).</summary>
    public bool IsReplay { get; init; }
}
