namespace MediaForge.Credits.Transfers;

/// <summary>
/// A validated transfer. Its operation id is the id of the sender's <see cref="CreditTransactionType.TransferOut"/> row
/// and <paramref name="InId"/> the id of the recipient's (first) <see cref="CreditTransactionType.TransferIn"/> row, both
/// chosen once for every attempt, so a failed commit is settled by looking the first up.
/// </summary>
/// <param name="From">The sender.</param>
/// <param name="To">The recipient.</param>
/// <param name="Amount">Credits to move.</param>
/// <param name="Reason">Why; the description of both rows.</param>
/// <param name="IdempotencyKey">The sender's key, if any (stored on the <see cref="CreditTransactionType.TransferOut"/> row).</param>
/// <param name="OutId">The operation id.</param>
/// <param name="InId">The recipient's first row.</param>
/// <param name="GiftId">The gift whose redemption this move is, named in both rows' metadata; <see langword="null"/> for a transfer.</param>
internal sealed record CreditTransferRequest(string From, string To, long Amount, string Reason, string? IdempotencyKey, Guid OutId, Guid InId,
    Guid? GiftId = null)
{
    /// <summary>The sender's row's metadata, part of the key's fingerprint with the amount and the reason.</summary>
    public string OutMetadata { get; } = CreditArguments.Metadata(GiftId is { } gift ? new { to = To, giftId = gift } : new { to = To })!;

    /// <summary>The recipient's rows' metadata.</summary>
    public string InMetadata { get; } = CreditArguments.Metadata(GiftId is { } gift ? new { from = From, giftId = gift } : new { from = From })!;
}
