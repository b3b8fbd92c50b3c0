namespace MediaForge.Credits;

/// <summary>
/// The host's switches for <see cref="ICreditService.TransferCreditsAsync"/> (configuration section
/// <c>MediaForge:Credits:Transfers</c>).
/// </summary>
public sealed class CreditTransferOptions
{
    /// <summary>
    /// Whether transfers are allowed. Default <see langword="true"/>: only the host's code calls
    /// <see cref="ICreditService.TransferCreditsAsync"/> (no endpoint exposes it), so the host decides who may move
    /// credits. When <see langword="false"/>, every transfer is refused with <see cref="CreditTransferError.TransfersDisabled"/>.
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// The most credits one transfer may move: 1 to <see cref="CreditLimits.MaxAmount"/>. Default
    /// <see cref="CreditLimits.MaxAmount"/>. A larger transfer is refused with <see cref="CreditTransferError.OverMaximum"/>.
    /// </summary>
    public long MaxTransferAmount { get; set; } = CreditLimits.MaxAmount;
}
