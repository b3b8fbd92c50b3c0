using System.Security.Claims;
using MediaForge.Credits;
using MediaForge.Credits.AspNetCore;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the referral endpoints of the signed-in user.</summary>
public static class CreditReferralEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps <c>GET</c> (the signed-in user's code, absolute link, referred-user counts by status and rewards earned) and
    /// <c>POST attach { code }</c> (attaches the signed-in user to a code within the attach window; each refusal is a
    /// problem with a stable code). Answers 404 <c>referrals_disabled</c> while referrals are off.
    /// </summary>
    /// <param name="endpoints">The application's endpoints.</param>
    /// <param name="prefix">The group's prefix. Default <c>/api/credits/referrals</c>.</param>
    /// <returns>The group.</returns>
    public static RouteGroupBuilder MapCreditReferralEndpoints(this IEndpointRouteBuilder endpoints, string prefix = "/api/credits/referrals")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var group = endpoints.MapCreditsFeatureGroup(prefix, "Referrals", o => o.Referrals.Enabled, Disabled);

        group.MapGet("", async Task<Results<Ok<CreditReferralsResponse>, ProblemHttpResult>> (
            ClaimsPrincipal principal, [FromServices] CreditUserAccessor users, [FromServices] ICreditReferralService referrals,
            [FromServices] IOptions<CreditsOptions> options, [FromServices] CreditsPublicAddress address, CancellationToken ct) =>
        {
            if (users.GetUserId(principal) is not { } userId)
            {
                return CreditProblems.NoUserId();
            }

            var summary = await referrals.GetSummaryAsync(userId, ct).ConfigureAwait(false);
            var link = address.Absolute(options.Value.Referrals.LinkPath) + "?ref=" + Uri.EscapeDataString(summary.Code);
            return TypedResults.Ok(new CreditReferralsResponse(summary.Code, link, summary.Referred, summary.Statuses, summary.RewardsEarned));
        }).WithName("GetCreditReferrals").WithSummary("The signed-in user's referral code and link, how many users it brought (counts by status only) and the rewards earned.");

        group.MapPost("/attach", async Task<Results<Ok<AttachReferralResponse>, ProblemHttpResult>> (
            HttpRequest request, ClaimsPrincipal principal, [FromServices] CreditUserAccessor users, [FromServices] ICreditReferralService referrals,
            CancellationToken ct) =>
        {
            if (users.GetUserId(principal) is not { } userId)
            {
                return CreditProblems.NoUserId();
            }

            var (body, problem) = await CreditsJsonBody.ReadAsync<AttachReferralRequest>(request, ct).ConfigureAwait(false);
            if (problem is not null)
            {
                return problem;
            }

            if (string.IsNullOrWhiteSpace(body!.Code) || body.Code.Length > MaxCodeLength)
            {
                return CreditProblems.Create(StatusCodes.Status400BadRequest, "invalid_referral_code", "A referral code is required.",
                    $"Send {{ \"code\": \"...\" }} with at most {MaxCodeLength} characters.");
            }

            var result = await referrals.AttachReferralAsync(userId, body.Code, ct).ConfigureAwait(false);
            return result.IsAttached ? TypedResults.Ok(new AttachReferralResponse(result.Outcome, result.RefereeBonus)) : Refused(result.Outcome);
        })
            .AcceptsCreditJson<AttachReferralRequest>()
            .ProducesCreditProblems(StatusCodes.Status400BadRequest, StatusCodes.Status409Conflict, StatusCodes.Status422UnprocessableEntity)
            .WithName("AttachCreditReferral").WithSummary("Attaches the signed-in user to a referral code, within the window after sign-up; grants the sign-up bonus once.");
        return group;
    }

    /// <summary>The longest code read (the core reads no longer one either).</summary>
    private const int MaxCodeLength = 64;

    private static ProblemHttpResult Disabled() =>
        CreditProblems.Create(StatusCodes.Status404NotFound, "referrals_disabled", "Referrals are not enabled.");

    private static ProblemHttpResult Refused(CreditReferralAttachOutcome outcome) => outcome switch
    {
        CreditReferralAttachOutcome.UnknownCode => CreditProblems.Create(StatusCodes.Status404NotFound, "unknown_referral_code", "No user has this referral code."),
        CreditReferralAttachOutcome.SelfReferral => CreditProblems.Create(StatusCodes.Status422UnprocessableEntity, "self_referral", "You cannot use your own referral code."),
        CreditReferralAttachOutcome.MutualReferral => CreditProblems.Create(StatusCodes.Status422UnprocessableEntity, "mutual_referral", "The code's owner was referred by you."),
        CreditReferralAttachOutcome.AlreadyReferred => CreditProblems.Create(StatusCodes.Status409Conflict, "already_referred", "You were referred already."),
        CreditReferralAttachOutcome.WindowClosed => CreditProblems.Create(StatusCodes.Status409Conflict, "attach_window_closed", "Referral codes can only be used shortly after sign-up."),
        CreditReferralAttachOutcome.CapReached => CreditProblems.Create(StatusCodes.Status409Conflict, "referral_cap_reached", "This referral code brought its most users this month."),
        _ => Disabled(),
    };
}
