using MediaForge.Credits.Ledger;
using MediaForge.Credits.Storage.Configurations;
using MediaForge.Credits.Storage;
using MediaForge.Credits.Telemetry;
using Microsoft.EntityFrameworkCore;

namespace MediaForge.Credits.AspNetCore.Clerk;

/// <summary>
/// <c>POST /api/webhooks/clerk</c>: verifies the Svix signature, then processes the event exactly once (key: the
/// <c>svix-id</c>). <c>user.created</c> upserts the user and grants the sign-up package once (per user, and per e-mail
/// unless <see cref="CreditsOptions.OneFreePackagePerEmail"/> is off) and attaches the referral of its
/// <c>unsafe_metadata.referral_code</c> (a refused or malformed code is an outcome, never a failure); <c>user.updated</c> updates the profile and the
/// admin flag (<c>public_metadata.role</c>); <c>user.deleted</c> clears personal data and keeps the ledger; organization
/// and membership events are mirrored into teams when teams are on.
/// </summary>
/// <remarks>
/// Svix neither orders deliveries nor stops retrying for days, so each profile change carries Clerk's
/// <c>updated_at</c>, kept as <see cref="CreditUser.ProfileVersion"/>: an event older than the stored version changes
/// nothing. A deletion is final: a later <c>user.updated</c> does nothing, and a <c>user.created</c> for the id (Clerk
/// never reuses user ids, so it can only be a late delivery of the original creation) neither restores the profile nor
/// grants the sign-up package. A deletion that arrives before the creation leaves a deleted row, so the same holds.
/// </remarks>
internal sealed partial class ClerkWebhookHandler(
    SvixSignatureVerifier verifier,
    WebhookEventRecorder recorder,
    CreditService credits,
    ICreditPurchaseService purchases,
    ICreditReferralService referrals,
    MediaForge.Credits.Teams.CreditTeamMirror teams,
    IOptions<CreditsOptions> credit,
    CreditsDbContextHandle handle,
    IOptions<CreditsClerkOptions> options,
    IOptions<CreditsHttpOptions> http,
    TimeProvider time,
    CreditsTelemetry telemetry,
    ILogger<ClerkWebhookHandler> logger)
{
    /// <summary>The <c>webhook_events.event_id</c> column; Svix message ids are about 30 characters.</summary>
    public const int MaxMessageIdLength = CreditsModelLimits.Reference;

    private readonly DbContext db = handle.Context;

    /// <summary>What applying a profile change did.</summary>
    private enum ProfileChange
    {
        Applied,
        Stale,
        Deleted,
    }

    public async Task<Results<Ok<WebhookReceipt>, ProblemHttpResult>> HandleAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        using var activity = telemetry.StartWebhook("clerk");
        var secret = options.Value.WebhookSecret;
        var (body, problem) = await WebhookBody.ReadSignedAsync(request, secret, "The Clerk webhook secret (CLERK_WEBHOOK_SECRET)", http.Value.MaxWebhookBodyBytes, cancellationToken).ConfigureAwait(false);
        if (body is null)
        {
            return problem!;
        }

        var messageId = request.Headers[SvixSignatureVerifier.IdHeader].ToString();
        if (messageId.Length > MaxMessageIdLength || messageId.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            LogRejected("invalid svix-id");
            telemetry.WebhookRejected("clerk", "invalid_message_id");
            return CreditProblems.Create(StatusCodes.Status400BadRequest, "invalid_message_id", "The svix-id header is not a message id.",
                $"A svix-id has at most {MaxMessageIdLength} characters and no spaces or control characters.");
        }

        if (verifier.Verify(secret!, /* not blank: ReadSignedAsync refused that */ request.Headers, body, options.Value.WebhookTolerance) is { } error)
        {
            LogRejected(error);
            telemetry.WebhookRejected("clerk", "invalid_signature");
            return CreditProblems.InvalidSignature(error);
        }

        ClerkEvent clerkEvent;
        ClerkOrganizationEvent? organizationEvent;
        try
        {
            clerkEvent = ClerkEvent.Parse(body);
            organizationEvent = ClerkOrganizationEvent.Handles(clerkEvent.Type) ? ClerkOrganizationEvent.Parse(clerkEvent.Type, body) : null;
        }
        catch (Exception parseError) when (parseError is JsonException or FormatException)
        {
            LogRejected("malformed payload: " + parseError.Message);
            telemetry.WebhookRejected("clerk", "malformed_payload");
            return CreditProblems.Create(StatusCodes.Status400BadRequest, "malformed_payload", "The webhook body is not a Clerk event.", parseError.Message);
        }

        var outcome = await recorder.ProcessOnceAsync("clerk", messageId, clerkEvent.Type,
            ct => organizationEvent is null ? ApplyAsync(clerkEvent, messageId, ct) : ApplyOrganizationAsync(organizationEvent, ct), cancellationToken).ConfigureAwait(false);
        LogProcessed(messageId, clerkEvent.Type, outcome ?? "duplicate");
        telemetry.WebhookHandled("clerk", clerkEvent.Type, outcome);
        return TypedResults.Ok(new WebhookReceipt(true, outcome is null, outcome));
    }

    private async Task<string> ApplyAsync(ClerkEvent clerkEvent, string messageId, CancellationToken cancellationToken)
    {
        switch (clerkEvent.Type)
        {
            case ClerkEvent.UserCreated:
                // A stale creation (a newer update came first) still grants: the account exists and has not had it.
                if (await UpsertAsync(clerkEvent, cancellationToken).ConfigureAwait(false) == ProfileChange.Deleted)
                {
                    return "user_deleted";
                }

                var created = "created";
                if (!string.IsNullOrWhiteSpace(options.Value.SignUpPackageId))
                {
                    var claim = await purchases.ClaimFreePackageAsync(clerkEvent.UserId, options.Value.SignUpPackageId, messageId, cancellationToken).ConfigureAwait(false);
                    created = claim.Granted ? "granted" : claim.EmailAlreadyClaimed ? "email_already_claimed" : "already_granted";
                }

                return clerkEvent.ReferralCode is null ? created
                    : $"{created}, referral {ReferralOutcome((await referrals.AttachReferralAsync(clerkEvent.UserId, clerkEvent.ReferralCode, cancellationToken).ConfigureAwait(false)).Outcome)}";

            case ClerkEvent.UserUpdated:
                return await UpsertAsync(clerkEvent, cancellationToken).ConfigureAwait(false) switch
                {
                    ProfileChange.Applied => "updated",
                    ProfileChange.Stale => "stale",
                    _ => "user_deleted",
                };

            case ClerkEvent.UserDeleted:
                var now = time.GetUtcNow().UtcDateTime;
                await credits.EnsureAccountAsync(clerkEvent.UserId, cancellationToken).ConfigureAwait(false);
                await db.Set<CreditUser>().Where(u => u.Id == clerkEvent.UserId)
                    .ExecuteUpdateAsync(s => s
                        .SetProperty(u => u.DeletedAt, u => u.DeletedAt ?? now)
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

    /// <summary>
    /// Mirrors an organization or membership event into teams (<see cref="MediaForge.Credits.Teams.CreditTeamMirror"/>):
    /// later <c>updated_at</c> wins per team and per membership; a deleted organization freezes its team for good.
    /// </summary>
    private Task<string> ApplyOrganizationAsync(ClerkOrganizationEvent e, CancellationToken cancellationToken) =>
        !credit.Value.Teams.Enabled ? Task.FromResult("teams_disabled")
        : e.Type == ClerkOrganizationEvent.OrganizationDeleted ? teams.FreezeAsync(e.TeamId, cancellationToken)
        : !e.IsMembership ? teams.ApplyOrganizationAsync(e.TeamId, e.Name!, e.Version, cancellationToken)
        : teams.ApplyMembershipAsync(e.TeamId, e.Name, e.TeamVersion, e.UserId!, e.Role, e.IsDeletion, e.Version, cancellationToken);

    /// <summary>
    /// Creates the account if the user has none yet (they may have used the API first), then sets the profile unless
    /// the user was deleted or the stored profile is newer than the event.
    /// </summary>
    private async Task<ProfileChange> UpsertAsync(ClerkEvent clerkEvent, CancellationToken cancellationToken)
    {
        await credits.EnsureAccountAsync(clerkEvent.UserId, cancellationToken).ConfigureAwait(false);
        var isAdmin = string.Equals(clerkEvent.Role, options.Value.AdminRole, StringComparison.OrdinalIgnoreCase);
        var now = time.GetUtcNow().UtcDateTime;
        var version = clerkEvent.Version;
        var changed = await db.Set<CreditUser>()
            .Where(u => u.Id == clerkEvent.UserId && u.DeletedAt == null && (u.ProfileVersion == null || u.ProfileVersion <= version))
            .ExecuteUpdateAsync(s => s
                .SetProperty(u => u.Email, clerkEvent.Email)
                .SetProperty(u => u.DisplayName, clerkEvent.DisplayName)
                .SetProperty(u => u.IsAdmin, isAdmin)
                .SetProperty(u => u.ProfileVersion, version)
                .SetProperty(u => u.UpdatedAt, now), cancellationToken).ConfigureAwait(false);
        if (changed > 0)
        {
            return ProfileChange.Applied;
        }

        var deleted = await db.Set<CreditUser>().AnyAsync(u => u.Id == clerkEvent.UserId && u.DeletedAt != null, cancellationToken).ConfigureAwait(false);
        LogIgnoredProfile(clerkEvent.UserId, clerkEvent.Type, deleted ? "the user was deleted" : "a newer profile is stored");
        return deleted ? ProfileChange.Deleted : ProfileChange.Stale;
    }

    /// <summary>The attach outcome in the webhook's snake_case outcome words (<c>attached</c>, <c>unknown_code</c>...).</summary>
    internal static string ReferralOutcome(CreditReferralAttachOutcome outcome) => outcome switch
    {
        CreditReferralAttachOutcome.Attached => "attached",
        CreditReferralAttachOutcome.AlreadyAttached => "already_attached",
        CreditReferralAttachOutcome.AlreadyReferred => "already_referred",
        CreditReferralAttachOutcome.UnknownCode => "unknown_code",
        CreditReferralAttachOutcome.SelfReferral => "self_referral",
        CreditReferralAttachOutcome.MutualReferral => "mutual_referral",
        CreditReferralAttachOutcome.WindowClosed => "window_closed",
        CreditReferralAttachOutcome.CapReached => "cap_reached",
        _ => "disabled",
    };

    [LoggerMessage(EventId = 2201, Level = LogLevel.Warning, Message = "Clerk webhook rejected: {Reason}")]
    private partial void LogRejected(string reason);

    [LoggerMessage(EventId = 2202, Level = LogLevel.Information, Message = "Clerk message {MessageId} ({Type}): {Outcome}")]
    private partial void LogProcessed(string messageId, string type, string outcome);

    [LoggerMessage(EventId = 2203, Level = LogLevel.Information, Message = "Clerk {Type} for {UserId} left the profile unchanged: {Reason}")]
    private partial void LogIgnoredProfile(string userId, string type, string reason);
}
