namespace MediaForge.Credits.Gifts;

/// <summary>The log messages of gifts (category <see cref="CreditGiftService"/>, events 1601-1606).</summary>
internal static partial class CreditGiftLog
{
    [LoggerMessage(EventId = 1601, Level = LogLevel.Information, Message = "Gift {GiftId} of {Amount} credits from {SenderId} created (replay {IsReplay})")]
    public static partial void Created(ILogger logger, Guid giftId, string senderId, long amount, bool isReplay);

    [LoggerMessage(EventId = 1602, Level = LogLevel.Information, Message = "Gift {GiftId} from {SenderId} redeemed by {RecipientId}: {Moved} of {Amount} credits moved")]
    public static partial void Redeemed(ILogger logger, Guid giftId, string senderId, string recipientId, long amount, long moved);

    [LoggerMessage(EventId = 1603, Level = LogLevel.Information, Message = "Gift {GiftId} of {SenderId} {Status}; {Amount} held credits are the sender's again")]
    public static partial void Returned(ILogger logger, Guid giftId, string senderId, CreditGiftStatus status, long amount);

    [LoggerMessage(EventId = 1604, Level = LogLevel.Information, Message = "Gift operation of {UserId} refused: {Error}")]
    public static partial void Refused(ILogger logger, string userId, CreditGiftError error);

    [LoggerMessage(EventId = 1605, Level = LogLevel.Information, Message = "Gift {GiftId} of {SenderId}: a new code was issued; the earlier one no longer works")]
    public static partial void Reissued(ILogger logger, Guid giftId, string senderId);

    [LoggerMessage(EventId = 1606, Level = LogLevel.Error, Message = "Expiring gift {GiftId} failed; the next sweep tries again")]
    public static partial void ExpiryFailed(ILogger logger, Guid giftId, Exception exception);
}
