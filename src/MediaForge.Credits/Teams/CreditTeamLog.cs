namespace MediaForge.Credits.Teams;

/// <summary>The log messages of teams (category <see cref="ICreditTeamService"/>'s implementation, events 1701-1706).</summary>
internal static partial class CreditTeamLog
{
    [LoggerMessage(EventId = 1701, Level = LogLevel.Information, Message = "Team {TeamId}: {Change} of {UserId} by {ActorId}")]
    public static partial void Changed(ILogger logger, string teamId, string change, string userId, string actorId);

    [LoggerMessage(EventId = 1702, Level = LogLevel.Information, Message = "Team {TeamId}: {Change} by {ActorId} refused: {Error}")]
    public static partial void Refused(ILogger logger, string teamId, string change, string actorId, CreditTeamError error);

    [LoggerMessage(EventId = 1703, Level = LogLevel.Information, Message = "Team {TeamId} purchase {PurchaseId} of package {PackageId} started by {ActorId}")]
    public static partial void PurchaseStarted(ILogger logger, string teamId, Guid purchaseId, string packageId, string actorId);

    [LoggerMessage(EventId = 1704, Level = LogLevel.Information, Message = "Clerk organization {TeamId} mirrored: {Outcome}")]
    public static partial void Mirrored(ILogger logger, string teamId, string outcome);

    [LoggerMessage(EventId = 1705, Level = LogLevel.Debug, Message = "Member {UserId} spent {Credits} credits with wallet {Account} on {Feature}/{Model}; unlimited {IsUnlimited}")]
    public static partial void Spent(ILogger logger, string userId, string account, string feature, string model, long credits, bool isUnlimited);

    [LoggerMessage(EventId = 1706, Level = LogLevel.Information, Message = "Member {UserId} refused spending with wallet {Account} on {Feature}/{Model}: {Error}")]
    public static partial void SpendRefused(ILogger logger, string userId, string account, string feature, string model, CreditDeductionError error);
}
