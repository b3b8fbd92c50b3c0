namespace MediaForge.Credits.Transfers;

/// <summary>The log messages of transfers (category <see cref="CreditService"/>, events 1501-1502).</summary>
internal static partial class CreditTransferLog
{
    [LoggerMessage(EventId = 1501, Level = LogLevel.Information,
        Message = "Transferred {Amount} credits from {FromUserId} to {ToUserId}; balances {SenderBalance} and {RecipientBalance}")]
    public static partial void Transferred(ILogger logger, string fromUserId, string toUserId, long amount, long senderBalance, long recipientBalance);

    [LoggerMessage(EventId = 1502, Level = LogLevel.Information, Message = "Transfer of {Amount} credits from {FromUserId} to {ToUserId} refused: {Error}")]
    public static partial void Refused(ILogger logger, string fromUserId, string toUserId, long amount, CreditTransferError error);
}
