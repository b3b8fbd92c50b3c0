using System.Security.Cryptography;
using System.Text;
using MediaForge.Credits.AspNetCore;
using Microsoft.AspNetCore.Mvc;

namespace MediaForge.Credits.Sample;

/// <summary>
/// The sample's "AI features", paid for the safe way a real host follows around its own jobs:
/// <list type="number">
/// <item>a job id made on the server (new, or derived from the client's <c>Idempotency-Key</c>, never that key as-is);</item>
/// <item>the price reserved BEFORE the work (keyed by the job id: a retry or a concurrent duplicate finds the same hold
/// and does not run the job again; the same key with another feature or model is a 409 conflict);</item>
/// <item>the hold captured after the work succeeded, released when it failed or was cancelled.</item>
/// </list>
/// N concurrent requests can only run the jobs their credits pay for. Not enough credits: 402 problem details.
/// The body's <c>wallet</c> (<c>personal</c>, the default, or <c>team:{id}</c>) names whose credits pay: a team's wallet
/// is the member's to spend within their limit (402 <c>member_limit_reached</c> past it; 403 for a non-member).
/// (For an endpoint that is one job, <c>.RequireCredits(feature, model)</c> does the same reserve/capture/release.)
/// </summary>
internal static class SimulatedFeatures
{
    /// <summary>How long a simulated job takes.</summary>
    private static readonly TimeSpan JobDuration = TimeSpan.FromMilliseconds(400);

    /// <summary>How long a hold lives: well beyond the job, so that a finished job can always be captured.</summary>
    private static readonly TimeSpan HoldTtl = TimeSpan.FromMinutes(5);

    private const int MaxNameLength = 64;
    private const int MaxPromptLength = 4_000;

    /// <summary>The longest wallet value: <c>team:</c> and the longest team id.</summary>
    private const int MaxWalletLength = 5 + CreditWallet.MaxTeamIdLength;

    public static void MapSimulatedFeatures(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/demo/features").WithTags("Demo").RequireAuthorization();

        group.MapGet("/", async ([FromServices] ICreditCatalog catalog, CancellationToken ct) =>
            (await catalog.GetFeaturePricesAsync(ct)).Select(p => new { p.Feature, p.Model, p.Credits, p.Description }));

        group.MapPost("/{feature}/{model}", async (string feature, string model, FeatureRequest? body, HttpRequest request,
            [FromServices] ICreditReservationService reservations, TimeProvider time, CancellationToken ct) =>
        {
            // The id the credit endpoints use (the `sub` claim, then NameIdentifier; MediaForge:Credits:Http:UserIdClaimTypes).
            if (request.HttpContext.GetCreditsUserId() is not { } userId)
            {
                return Problem(StatusCodes.Status401Unauthorized, "no_user_id", "Sign in first.");
            }

            if (!CreditsIdempotencyKeyHeader.TryRead(request, out var clientKey, out var keyProblem))
            {
                return keyProblem;
            }

            if (string.IsNullOrWhiteSpace(feature) || string.IsNullOrWhiteSpace(model) || feature.Length > MaxNameLength || model.Length > MaxNameLength
                || body?.Prompt?.Length > MaxPromptLength)
            {
                return Problem(StatusCodes.Status400BadRequest, "invalid_request", "Invalid feature, model or prompt.",
                    $"Feature and model have 1 to {MaxNameLength} characters, the prompt at most {MaxPromptLength}.");
            }

            if (WalletOf(body?.Wallet) is not { } wallet)
            {
                return Problem(StatusCodes.Status400BadRequest, "invalid_wallet", "The wallet is invalid.",
                    $"wallet is \"personal\" or \"team:{{id}}\" (an id of 1 to {CreditWallet.MaxTeamIdLength} characters).");
            }

            try
            {
                // 1. The job id, made here. 2. The price reserved before any work, from the wallet asked for.
                var jobId = JobId(userId, clientKey);
                var hold = await reservations.ReserveCreditsAsync(userId, feature, model, HoldTtl, idempotencyKey: jobId, cancellationToken: ct, wallet: wallet);
                if (!hold.Success)
                {
                    return Refused(hold, feature, model, wallet);
                }

                if (hold.IsReplay)
                {
                    // The same job was submitted before (a retry, or a concurrent duplicate): it runs once, under the first request.
                    return Problem(StatusCodes.Status409Conflict, "job_already_submitted", "This job was already submitted.",
                        $"Job {jobId} runs (or ran) once; it is not run or charged again.");
                }

                return await RunAsync(reservations, hold.ReservationId!.Value, jobId, feature, model, time, ct);
            }
            catch (UnknownFeaturePricingException error)
            {
                return Problem(StatusCodes.Status400BadRequest, error.ErrorCode, "Unknown feature or model.", error.Message);
            }
            catch (ArgumentException error)
            {
                return Problem(StatusCodes.Status400BadRequest, "invalid_argument", "A value in the request is not accepted.", error.Message);
            }
        });
    }

    /// <summary>3. The work, then capture on success; release on failure or cancellation.</summary>
    private static async Task<IResult> RunAsync(ICreditReservationService reservations, Guid holdId, string jobId, string feature, string model,
        TimeProvider time, CancellationToken ct)
    {
        try
        {
            await Task.Delay(JobDuration, time, ct);
        }
        catch
        {
            await reservations.ReleaseReservationAsync(holdId, CancellationToken.None);
            throw;
        }

        var capture = await reservations.CaptureReservationAsync(holdId, cancellationToken: CancellationToken.None);
        return capture.Success
            ? Results.Ok(new FeatureResponse(jobId, feature, model, capture.CreditsCharged, capture.Balance ?? 0, $"simulated://{feature}/{model}/{jobId}"))
            : Problem(StatusCodes.Status409Conflict, "hold_expired", "The job outlived its hold.",
                $"Job {jobId} was not charged, so its output is not delivered.");
    }

    /// <summary>A new job id, or (for a client's Idempotency-Key) one derived from the user and the key, so a retry maps to the same job.</summary>
    private static string JobId(string userId, string? clientKey) =>
        clientKey is null
            ? "job_" + Guid.CreateVersion7().ToString("N")
            : "job_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(userId + "\n" + clientKey)))[..32];

    /// <summary>The wallet a body names: personal when absent; <see langword="null"/> for anything malformed (bounded before parsing).</summary>
    private static CreditWallet? WalletOf(string? value)
    {
        if (value is null or "personal")
        {
            return CreditWallet.Personal;
        }

        if (value.Length > MaxWalletLength || !value.StartsWith("team:", StringComparison.Ordinal))
        {
            return null;
        }

        try
        {
            return CreditWallet.Team(value["team:".Length..]);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    private static IResult Refused(CreditReservationResult hold, string feature, string model, CreditWallet wallet) => hold.Error switch
    {
        CreditDeductionError.IdempotencyKeyConflict => Problem(StatusCodes.Status409Conflict, "idempotency_key_conflict",
            "This Idempotency-Key was used for another request.", "Use a new key for a new job."),
        CreditDeductionError.NotTeamMember => Problem(StatusCodes.Status403Forbidden, "not_team_member", "You are not a member of this team."),
        CreditDeductionError.TeamFrozen => Problem(StatusCodes.Status403Forbidden, "team_frozen", "This team's wallet is frozen."),
        CreditDeductionError.MemberLimitReached => Problem(StatusCodes.Status402PaymentRequired, "member_limit_reached", "Member limit reached",
            $"{feature}/{model} would take you past your spending limit in this team for this month. Ask an owner or admin to raise it."),
        _ => Results.Problem(statusCode: StatusCodes.Status402PaymentRequired, type: "urn:mediaforge:credits:insufficient_credits",
            title: "Insufficient credits",
            detail: $"{feature}/{model} costs more than the {hold.Available} credits {(wallet.IsTeam ? "the team has" : "you have")}. Buy a credit pack to continue.",
            extensions: new Dictionary<string, object?> { ["code"] = "insufficient_credits", ["available"] = hold.Available }),
    };

    private static IResult Problem(int status, string code, string title, string? detail = null) =>
        Results.Problem(statusCode: status, type: "urn:mediaforge:credits:" + code, title: title, detail: detail,
            extensions: new Dictionary<string, object?> { ["code"] = code });
}

/// <summary>Body of a feature use.</summary>
internal sealed record FeatureRequest(string? Prompt, string? Wallet = null);

/// <summary>A finished simulated job.</summary>
internal sealed record FeatureResponse(string JobId, string Feature, string Model, long CreditsDeducted, long RemainingBalance, string Output);
