using MediaForge.Credits.Telemetry;
using Microsoft.Extensions.DependencyInjection;

namespace MediaForge.Credits.AspNetCore.Endpoints;

/// <summary>
/// The endpoint filter of <c>.RequireCredits</c>: holds the price before the handler, captures it after a successful
/// response, releases it otherwise. Work is never given away silently: a capture that fails because the job outlived
/// its hold is charged late from the credits spendable then, or the response is refused (402 <c>hold_expired</c>);
/// either way it is logged and counted (<c>mediaforge.credits.holds.capture_failed</c>).
/// </summary>
internal sealed partial class CreditRequirementFilter(string feature, string model, TimeSpan? holdTtl, Func<HttpContext, string?>? idempotencyKey,
    Func<HttpContext, CreditWallet>? wallet = null)
    : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var services = http.RequestServices;
        string? userId;
        try
        {
            userId = services.GetRequiredService<CreditUserAccessor>().GetUserId(http.User);
        }
        catch (CreditUserIdRefusedException error)
        {
            return CreditProblems.InvalidUserId(error);
        }

        if (userId is null)
        {
            return CreditProblems.NoUserId();
        }

        CreditWallet payer;
        try
        {
            payer = wallet?.Invoke(http) ?? CreditWallet.Personal;
        }
        catch (ArgumentException error)
        {
            return CreditProblems.Create(StatusCodes.Status400BadRequest, "invalid_wallet", "The wallet is not valid.", error.Message);
        }

        if (payer.IsTeam && !services.GetRequiredService<IOptions<CreditsOptions>>().Value.Teams.Enabled)
        {
            return TeamRefusal(CreditDeductionError.NotTeamMember);
        }

        var reservations = services.GetRequiredService<ICreditReservationService>();
        var key = idempotencyKey?.Invoke(http);
        CreditHold hold;
        try
        {
            hold = await reservations.ReserveAsync(userId, feature, model, holdTtl, key, cancellationToken: http.RequestAborted, wallet: payer).ConfigureAwait(false);
        }
        catch (ArgumentException error) when (key is not null && error.ParamName == "idempotencyKey")
        {
            return CreditProblems.Create(StatusCodes.Status400BadRequest, "invalid_idempotency_key", "The idempotency key is not valid.", error.Message);
        }

        await using (hold.ConfigureAwait(false))
        {
            if (Refusal(hold.Result) is { } refusal)
            {
                return refusal;
            }

            var result = await next(context).ConfigureAwait(false);
            var status = result is IStatusCodeHttpResult { StatusCode: { } code } ? code : http.Response.StatusCode;
            if (status >= 400)
            {
                return result;
            }

            var settlement = await hold.CaptureAsync(cancellationToken: CancellationToken.None).ConfigureAwait(false);
            return settlement.Success ? result : await CaptureFailedAsync(http, reservations, hold, settlement, userId, result).ConfigureAwait(false);
        }
    }

    private object? Refusal(CreditReservationResult held) => held switch
    {
        { Success: false, Error: CreditDeductionError.IdempotencyKeyConflict } => CreditProblems.Create(StatusCodes.Status409Conflict,
            "idempotency_key_conflict", "The idempotency key was used for another request.",
            $"The key was already used to hold credits for another feature, model or amount than {feature} with {model}."),
        { Success: false, Error: CreditDeductionError.NotTeamMember or CreditDeductionError.TeamFrozen or CreditDeductionError.MemberLimitReached } =>
            TeamRefusal(held.Error),
        { Success: false } => CreditProblems.Create(StatusCodes.Status402PaymentRequired, "insufficient_credits", "Insufficient credits.",
            $"{feature} with {model} costs more than the {held.Available} credits available."),
        { IsReplay: true } => CreditProblems.Create(StatusCodes.Status409Conflict, "duplicate_request", "This request was already made.",
            "A request with this idempotency key already holds or has spent its credits; the work is not run twice."),
        _ => null,
    };

    /// <summary>The problem of a refusal on a team's wallet: one stable code per reason.</summary>
    private static ProblemHttpResult TeamRefusal(CreditDeductionError error) => error switch
    {
        CreditDeductionError.TeamFrozen => CreditProblems.Create(StatusCodes.Status403Forbidden, "team_frozen", "The team's wallet is frozen.",
            "The team was closed; nobody spends from its wallet."),
        CreditDeductionError.MemberLimitReached => CreditProblems.Create(StatusCodes.Status402PaymentRequired, "member_limit_reached",
            "Your spending limit in this team is reached.", "The team's wallet pays no more for you in this period."),
        _ => CreditProblems.Create(StatusCodes.Status403Forbidden, "not_team_member", "Not a member of the team.",
            "Only active members of the team spend from its wallet."),
    };

    /// <summary>
    /// The handler succeeded but its hold could not be captured (it lapsed while the job ran): charge it late if the
    /// credits are spendable now, else refuse the response if it has not started. Logged and counted either way.
    /// </summary>
    private async Task<object?> CaptureFailedAsync(HttpContext http, ICreditReservationService reservations, CreditHold hold,
        CreditReservationSettlement settlement, string userId, object? result)
    {
        var services = http.RequestServices;
        var telemetry = services.GetRequiredService<CreditsTelemetry>();
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger<CreditRequirementFilter>();
        var id = hold.Result.ReservationId!.Value;
        if (settlement.Status == ReservationStatus.Expired
            && (await reservations.CaptureExpiredReservationAsync(id, cancellationToken: CancellationToken.None).ConfigureAwait(false)) is { Success: true } late)
        {
            LogChargedLate(logger, id, userId, feature, model, late.CreditsCharged);
            telemetry.HoldCaptureFailed(feature, model, "charged_late");
            return result;
        }

        if (http.Response.HasStarted)
        {
            LogDeliveredUnpaid(logger, id, userId, feature, model, settlement.Status);
            telemetry.HoldCaptureFailed(feature, model, "delivered_unpaid");
            return result;
        }

        LogRefused(logger, id, userId, feature, model, settlement.Status);
        telemetry.HoldCaptureFailed(feature, model, "refused");
        return CreditProblems.Create(StatusCodes.Status402PaymentRequired, "hold_expired", "The credit hold expired before the work was done.",
            $"{feature} with {model} took longer than its credit hold, and its price is no longer available; nothing was charged.");
    }

    [LoggerMessage(EventId = 2401, Level = LogLevel.Warning,
        Message = "Hold {ReservationId} of {UserId} for {Feature}/{Model} expired before its capture; {Credits} credits charged late")]
    private static partial void LogChargedLate(ILogger logger, Guid reservationId, string userId, string feature, string model, long credits);

    [LoggerMessage(EventId = 2402, Level = LogLevel.Warning,
        Message = "Hold {ReservationId} of {UserId} for {Feature}/{Model} could not be captured ({Status}) nor charged late; the response was refused")]
    private static partial void LogRefused(ILogger logger, Guid reservationId, string userId, string feature, string model, ReservationStatus? status);

    [LoggerMessage(EventId = 2403, Level = LogLevel.Error,
        Message = "Hold {ReservationId} of {UserId} for {Feature}/{Model} could not be captured ({Status}) nor charged late, and the response had already started: delivered unpaid")]
    private static partial void LogDeliveredUnpaid(ILogger logger, Guid reservationId, string userId, string feature, string model, ReservationStatus? status);
}
