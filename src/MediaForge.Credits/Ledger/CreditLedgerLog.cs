namespace MediaForge.Credits.Ledger;

/// <summary>The log messages of the ledger's operations (category <see cref="CreditService"/>, events 1001-1010).</summary>
internal static partial class CreditLedgerLog
{
    [LoggerMessage(EventId = 1001, Level = LogLevel.Debug, Message = "Deducted {Credits} credits from {UserId} for {Feature}/{Model}; balance {Balance}, unlimited {IsUnlimited}")]
    public static partial void Deducted(ILogger logger, string userId, string feature, string model, long credits, long balance, bool isUnlimited);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "Insufficient credits: {UserId} needs {Price} for {Feature}/{Model} and has {Available}")]
    public static partial void Insufficient(ILogger logger, string userId, string feature, string model, long price, long available);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Information, Message = "Granted {Amount} credits ({Type}) to {UserId}; balance {Balance}")]
    public static partial void Granted(ILogger logger, string userId, long amount, CreditTransactionType type, long balance);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Debug, Message = "Replayed the outcome stored for idempotency key {IdempotencyKey} of {UserId}")]
    public static partial void Replay(ILogger logger, string userId, string idempotencyKey);

    [LoggerMessage(EventId = 1008, Level = LogLevel.Warning, Message = "Idempotency key {IdempotencyKey} of {UserId} was used for another request; refused as a conflict")]
    public static partial void KeyConflict(ILogger logger, string userId, string idempotencyKey);

    [LoggerMessage(EventId = 1009, Level = LogLevel.Warning, Message = "The commit of operation {OperationId} of {UserId} failed, but it was applied: its stored outcome is returned")]
    public static partial void CommitSettled(ILogger logger, string userId, Guid operationId);

    [LoggerMessage(EventId = 1010, Level = LogLevel.Error, Message = "Writing the lapsed credits of {UserId} failed; the sweep goes on with the other users")]
    public static partial void ExpiryFailed(ILogger logger, string userId, Exception exception);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Debug, Message = "Credit operation of {UserId} lost a race (attempt {Attempt}) and is retried: {Reason}")]
    public static partial void Retry(ILogger logger, string userId, int attempt, string reason);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Warning, Message = "A batch of {Count} deductions was rolled back when one of them failed; the others run on their own: {Reason}")]
    public static partial void BatchRolledBack(ILogger logger, int count, string reason);
}
