namespace MediaForge.Credits;

/// <summary>
/// Referrals: a stable code per user; a referee attached to a code once, for good; the referee's sign-up bonus and the
/// referrer's reward granted once each (ledger keys <c>mf:referral:...</c>), the reward capped per referrer and month
/// and taken back when the qualifying purchase is refunded or a dispute of it is lost. Refusals are result values.
/// </summary>
public interface ICreditReferralService
{
    /// <summary>The user's referral code, made on first call (random, unique, not derived from the user id), the same ever after.</summary>
    /// <param name="userId">The referrer.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The code.</returns>
    /// <exception cref="ArgumentException">An empty or too long user id.</exception>
    /// <exception cref="InvalidOperationException">Referrals are off.</exception>
    Task<string> GetOrCreateCodeAsync(string userId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Attaches <paramref name="refereeId"/> to the owner of <paramref name="code"/> (case-insensitive, trimmed; anything
    /// malformed is an unknown code) and grants the referee's bonus once. Every guard's refusal is an outcome.
    /// </summary>
    /// <param name="refereeId">The user who signed up.</param>
    /// <param name="code">The referral code they brought (untrusted input).</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>What happened.</returns>
    /// <exception cref="ArgumentException">An empty or too long user id.</exception>
    Task<CreditReferralAttachResult> AttachReferralAsync(string refereeId, string? code, CancellationToken cancellationToken = default);

    /// <summary>
    /// Reports the referee's qualifying event under <see cref="CreditReferralQualifyingEvent.Manual"/>: rewards the
    /// referrer once (within the monthly cap). A second report changes nothing.
    /// </summary>
    /// <param name="refereeId">The referred user.</param>
    /// <param name="reference">The host's reference of the event (at most 255 characters), kept on the referral.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The referral's status afterwards, or <see langword="null"/> when the user was not referred.</returns>
    /// <exception cref="ArgumentException">An empty or too long user id or reference.</exception>
    /// <exception cref="InvalidOperationException">Referrals are off, or the qualifying event is not <see cref="CreditReferralQualifyingEvent.Manual"/>.</exception>
    Task<CreditReferralStatus?> QualifyReferralAsync(string refereeId, string reference, CancellationToken cancellationToken = default);

    /// <summary>The user's code (made if needed), how many users it brought, their statuses and the rewards earned.</summary>
    /// <param name="userId">The referrer.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The summary.</returns>
    /// <exception cref="InvalidOperationException">Referrals are off.</exception>
    Task<CreditReferralSummary> GetSummaryAsync(string userId, CancellationToken cancellationToken = default);

    /// <summary>The funnel of <paramref name="range"/>: codes made, attached, qualified, rewarded, clawed back.</summary>
    /// <param name="range">The time range.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The counts.</returns>
    Task<CreditReferralFunnel> GetFunnelAsync(CreditAnalyticsRange range, CancellationToken cancellationToken = default);
}
