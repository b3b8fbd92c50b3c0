namespace MediaForge.Credits.AspNetCore;

/// <summary>Body of <c>POST /api/credits/referrals/attach</c>.</summary>
/// <param name="Code">The referral code (at most 64 characters).</param>
public sealed record AttachReferralRequest(string? Code);

/// <summary>Answer of <c>POST /api/credits/referrals/attach</c> when the user is referred by the code's owner.</summary>
/// <param name="Outcome"><see cref="CreditReferralAttachOutcome.Attached"/> now, or <see cref="CreditReferralAttachOutcome.AlreadyAttached"/> before.</param>
/// <param name="RefereeBonus">Credits the user got for it.</param>
public sealed record AttachReferralResponse(CreditReferralAttachOutcome Outcome, long RefereeBonus);

/// <summary>Body of <c>GET /api/credits/referrals</c>: the signed-in user's code and link, and counts only about the users they referred.</summary>
/// <param name="Code">The user's referral code.</param>
/// <param name="Link">The absolute referral link (the configured public address, never the request's host).</param>
/// <param name="Referred">Users referred.</param>
/// <param name="Statuses">How many referred users are in each status.</param>
/// <param name="RewardsEarned">Credits earned by rewards and not taken back.</param>
public sealed record CreditReferralsResponse(string Code, string Link, int Referred, IReadOnlyDictionary<CreditReferralStatus, int> Statuses, long RewardsEarned);
