namespace MediaForge.Credits;

/// <summary>
/// Holds on credits for long AI jobs: reserve before the job, capture (charge) when it succeeds, release when it
/// fails. Spendable credits are the balance minus active holds. Exactly one of capture, release and expiry wins for a
/// hold, also when they race; an expired hold never counts as held, even before the sweeper marks it.
/// </summary>
public interface ICreditReservationService
{
    /// <summary>Holds the price of one use of a feature with a model (or an explicit amount) against the user's credits.</summary>
    /// <param name="userId">The user id.</param>
    /// <param name="feature">The feature (case-insensitive).</param>
    /// <param name="model">The model (case-insensitive).</param>
    /// <param name="ttl">How long the hold lives if not captured; default <see cref="CreditsOptions.DefaultReservationTtl"/>.</param>
    /// <param name="idempotencyKey">A key unique per user; a retry returns the original hold with <c>IsReplay</c>.</param>
    /// <param name="amount">Credits to hold instead of the feature's price (for jobs priced by size).</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <param name="wallet">
    /// Whose credits are held: the user's own (default), or a team's (<see cref="CreditWallet.Team"/>): then the user must
    /// be an active member of an active team (<see cref="CreditDeductionError.NotTeamMember"/>,
    /// <see cref="CreditDeductionError.TeamFrozen"/>), and the held amount counts against the member's limit when placed
    /// (<see cref="CreditDeductionError.MemberLimitReached"/>): a release gives it back, a capture keeps what it charged,
    /// an expiry keeps it. A team hold holds the team's credits only, whatever <see cref="CreditTeamOptions.FundingPolicy"/>;
    /// the key is the team wallet's (a key used by another member is a conflict).
    /// </param>
    /// <exception cref="UnknownFeaturePricingException">No active price exists for the feature and model.</exception>
    /// <exception cref="InvalidOperationException">A team's wallet while teams are off (<see cref="CreditTeamOptions.Enabled"/>).</exception>
    Task<CreditReservationResult> ReserveCreditsAsync(string userId, string feature, string model, TimeSpan? ttl = null,
        string? idempotencyKey = null, long? amount = null, CancellationToken cancellationToken = default, CreditWallet wallet = default);

    /// <summary>
    /// Charges a hold: all of it, or <paramref name="actualAmount"/> (the rest is returned). Writes the usage ledger row
    /// and usage log. A hold past its expiry is not captured (<see cref="CreditReservationSettlement.Success"/> false,
    /// status expired; see <see cref="CaptureExpiredReservationAsync"/>). If a refund or dispute clawback took the held
    /// credits meanwhile, the capture charges at most the balance left (with
    /// <see cref="CreditClawbackPolicy.AllowNegativeBalance"/>: in full, leaving a debt).
    /// </summary>
    /// <param name="reservationId">The hold.</param>
    /// <param name="actualAmount">Credits to charge, at most the held amount; default: the held amount.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    Task<CreditReservationSettlement> CaptureReservationAsync(Guid reservationId, long? actualAmount = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Charges a hold that expired before it was captured (a job that outlived its hold), from the credits spendable
    /// now: the hold becomes captured, once, if the user's balance less their other holds covers the charge; otherwise
    /// nothing moves and <see cref="CreditReservationSettlement.Success"/> is false. A released hold is never charged.
    /// An active hold that has not lapsed is captured as by <see cref="CaptureReservationAsync"/>.
    /// </summary>
    /// <param name="reservationId">The hold.</param>
    /// <param name="actualAmount">Credits to charge, at most the held amount; default: the held amount.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    Task<CreditReservationSettlement> CaptureExpiredReservationAsync(Guid reservationId, long? actualAmount = null, CancellationToken cancellationToken = default);

    /// <summary>Gives a hold back unused.</summary>
    /// <param name="reservationId">The hold.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    Task<CreditReservationSettlement> ReleaseReservationAsync(Guid reservationId, CancellationToken cancellationToken = default);

    /// <summary>Marks every hold past its expiry as expired and frees its credits (the hosted sweeper calls this).</summary>
    /// <param name="cancellationToken">Cancels the sweep.</param>
    /// <returns>How many holds were expired.</returns>
    Task<int> ExpireReservationsAsync(CancellationToken cancellationToken = default);
}
