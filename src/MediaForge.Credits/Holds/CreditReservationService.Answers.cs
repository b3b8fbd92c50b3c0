namespace MediaForge.Credits.Holds;

/// <summary>The reservation service's answers: settlements read back, results of holds, and its log messages.</summary>
internal sealed partial class CreditReservationService
{
    /// <summary>The answer to a capture that found the hold ended by another call: a replay if that call captured it.</summary>
    private async Task<CreditReservationSettlement> EndedAsync(Guid id, CancellationToken cancellationToken)
    {
        var current = (await FindAsync(id, cancellationToken).ConfigureAwait(false))!;
        return await ReplayedAsync(current, success: current.Status == ReservationStatus.Captured, cancellationToken).ConfigureAwait(false);
    }

    private Task<CreditReservationRow?> FindAsync(Guid id, CancellationToken cancellationToken) =>
        Storage.CreditHoldStatements.For(db).FindAsync(id, cancellationToken);

    /// <summary>The answer of the call that settled the hold (or was refused): never a replay.</summary>
    private Task<CreditReservationSettlement> SettledAsync(CreditReservationRow hold, bool success, CancellationToken cancellationToken) =>
        AnswerAsync(hold, success, replay: false, cancellationToken);

    /// <summary>The answer to a call that found the hold settled before: a replay if that settlement is the one it asked for.</summary>
    private Task<CreditReservationSettlement> ReplayedAsync(CreditReservationRow hold, bool success, CancellationToken cancellationToken) =>
        AnswerAsync(hold, success, replay: true, cancellationToken);

    private async Task<CreditReservationSettlement> AnswerAsync(CreditReservationRow hold, bool success, bool replay, CancellationToken cancellationToken) => new()
    {
        Success = success,
        Status = hold.Status,
        // Stryker disable once Conditional : equivalent: a captured amount is written with the Captured status and cleared with it (a late capture's undo)
        CreditsCharged = hold.Status == ReservationStatus.Captured ? hold.CapturedAmount ?? 0 : 0,
        TransactionId = hold.TransactionId,
        Balance = (await credits.GetAccountBalanceAsync(hold.UserId, cancellationToken).ConfigureAwait(false)).Balance,
        IsReplay = replay && success,
    };

    private static CreditReservationResult Held(CreditReservation hold, long amount, long available) => new()
    {
        Success = true,
        ReservationId = hold.Id,
        Amount = amount,
        ExpiresAt = new DateTimeOffset(DateTime.SpecifyKind(hold.ExpiresAt, DateTimeKind.Utc)),
        Available = available,
        Error = CreditDeductionError.None,
    };

    private static CreditReservationResult Refused(CreditDeductionError error, long available) => new()
    {
        Success = false, Amount = 0, Available = available, Error = error,
    };

    [LoggerMessage(EventId = 1401, Level = LogLevel.Debug, Message = "Held {Amount} credits of {UserId} (reservation {ReservationId})")]
    private partial void LogReserved(string userId, long amount, Guid reservationId);

    [LoggerMessage(EventId = 1402, Level = LogLevel.Debug, Message = "Reservation {ReservationId} {Status}; charged {Charged}")]
    private partial void LogSettled(Guid reservationId, ReservationStatus status, long charged);

    [LoggerMessage(EventId = 1403, Level = LogLevel.Warning, Message = "Reservation {ReservationId} of {UserId} captured for {Charged} of {Asked} credits: a refund or dispute clawback took the rest while it was held")]
    private partial void LogCaptureCut(Guid reservationId, string userId, long asked, long charged);

    [LoggerMessage(EventId = 1404, Level = LogLevel.Warning, Message = "Reservation {ReservationId} of {UserId} had expired before its capture; {Charged} credits charged late from the spendable credits")]
    private partial void LogCapturedLate(Guid reservationId, string userId, long charged);
}
