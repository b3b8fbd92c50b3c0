using System.Text.Json;
using MediaForge.Credits.Entities;
using MediaForge.Credits.Internal;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MediaForge.Credits.AspNetCore.Internal;

/// <summary>
/// <c>POST /api/webhooks/clerk</c>: verifies the Svix signature, then processes the event exactly once (key: the
/// <c>svix-id</c>). <c>user.created</c> upserts the user and grants the sign-up package once; <c>user.updated</c>
/// updates the profile and the admin flag (<c>public_metadata.role</c>); <c>user.deleted</c> clears personal data and
/// keeps the ledger.
/// </summary>
internal sealed partial class ClerkWebhookHandler(
    SvixSignatureVerifier verifier,
    WebhookEventRecorder recorder,
    CreditService credits,
    ICreditPurchaseService purchases,
    CreditsDbContextHandle handle,
    IOptions<CreditsClerkOptions> options,
    IOptions<CreditsHttpOptions> http,
    TimeProvider time,
    CreditsTelemetry telemetry,
    ILogger<ClerkWebhookHandler> logger)
{
    private readonly DbContext db = handle.Context;

    public async Task<Results<Ok<WebhookReceipt>, ProblemHttpResult>> HandleAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        using var activity = telemetry.StartWebhook("clerk");
        var secret = options.Value.WebhookSecret;
        if (string.IsNullOrWhiteSpace(secret))
        {
            return CreditProblems.NotConfigured("The Clerk webhook secret (CLERK_WEBHOOK_SECRET)");
        }

        var body = await WebhookBody.ReadAsync(request, http.Value.MaxWebhookBodyBytes, cancellationToken).ConfigureAwait(false);
        if (body is null)
        {
            return CreditProblems.Create(StatusCodes.Status413PayloadTooLarge, "payload_too_large", "The webhook body is too large.");
        }

        if (verifier.Verify(secret, request.Headers, body, options.Value.WebhookTolerance) is { } error)
        {
            LogRejected(error);
            telemetry.WebhookRejected("clerk", "invalid_signature");
            return CreditProblems.InvalidSignature(error);
        }

        ClerkEvent clerkEvent;
        try
        {
            clerkEvent = ClerkEvent.Parse(body);
        }
        catch (Exception parseError) when (parseError is JsonException or InvalidOperationException or KeyNotFoundException)
        {
            LogRejected("malformed payload: " + parseError.Message);
            telemetry.WebhookRejected("clerk", "malformed_payload");
            return CreditProblems.Create(StatusCodes.Status400BadRequest, "malformed_payload", "The webhook body is not a Clerk event.", parseError.Message);
        }

        var messageId = request.Headers[SvixSignatureVerifier.IdHeader].ToString();
        var outcome = await recorder.ProcessOnceAsync("clerk", messageId, clerkEvent.Type,
            ct => ApplyAsync(clerkEvent, messageId, ct), cancellationToken).ConfigureAwait(false);
        LogProcessed(messageId, clerkEvent.Type, outcome ?? "duplicate");
        telemetry.WebhookHandled("clerk", clerkEvent.Type, outcome);
        return TypedResults.Ok(new WebhookReceipt(true, outcome is null, outcome));
    }

    private async Task<string> ApplyAsync(ClerkEvent clerkEvent, string messageId, CancellationToken cancellationToken)
    {
        switch (clerkEvent.Type)
        {
            case "user.created":
                await UpsertAsync(clerkEvent, cancellationToken).ConfigureAwait(false);
                if (string.IsNullOrWhiteSpace(options.Value.SignUpPackageId))
                {
                    return "created";
                }

                var claim = await purchases.ClaimFreePackageAsync(clerkEvent.UserId, options.Value.SignUpPackageId, messageId, cancellationToken).ConfigureAwait(false);
                return claim.Granted ? "granted" : "already_granted";

            case "user.updated":
                await UpsertAsync(clerkEvent, cancellationToken).ConfigureAwait(false);
                return "updated";

            case "user.deleted":
                var now = time.GetUtcNow().UtcDateTime;
                await db.Set<CreditUser>().Where(u => u.Id == clerkEvent.UserId)
                    .ExecuteUpdateAsync(s => s
                        .SetProperty(u => u.DeletedAt, now)
                        .SetProperty(u => u.UpdatedAt, now)
                        .SetProperty(u => u.Email, (string?)null)
                        .SetProperty(u => u.DisplayName, (string?)null)
                        .SetProperty(u => u.IsAdmin, false), cancellationToken).ConfigureAwait(false);
                await db.Set<UsageLog>().Where(u => u.UserId == clerkEvent.UserId && u.Prompt != null)
                    .ExecuteUpdateAsync(s => s.SetProperty(u => u.Prompt, (string?)null), cancellationToken).ConfigureAwait(false);
                return "deleted";

            default:
                return "ignored";
        }
    }

    /// <summary>Creates the account if the user has none yet (they may have used the API first), then sets the profile.</summary>
    private async Task UpsertAsync(ClerkEvent clerkEvent, CancellationToken cancellationToken)
    {
        await credits.EnsureAccountAsync(clerkEvent.UserId, cancellationToken).ConfigureAwait(false);
        var isAdmin = string.Equals(clerkEvent.Role, options.Value.AdminRole, StringComparison.OrdinalIgnoreCase);
        var now = time.GetUtcNow().UtcDateTime;
        await db.Set<CreditUser>().Where(u => u.Id == clerkEvent.UserId)
            .ExecuteUpdateAsync(s => s
                .SetProperty(u => u.Email, clerkEvent.Email)
                .SetProperty(u => u.DisplayName, clerkEvent.DisplayName)
                .SetProperty(u => u.IsAdmin, isAdmin)
                .SetProperty(u => u.UpdatedAt, now), cancellationToken).ConfigureAwait(false);
    }

    [LoggerMessage(EventId = 2201, Level = LogLevel.Warning, Message = "Clerk webhook rejected: {Reason}")]
    private partial void LogRejected(string reason);

    [LoggerMessage(EventId = 2202, Level = LogLevel.Information, Message = "Clerk message {MessageId} ({Type}): {Outcome}")]
    private partial void LogProcessed(string messageId, string type, string outcome);
}
