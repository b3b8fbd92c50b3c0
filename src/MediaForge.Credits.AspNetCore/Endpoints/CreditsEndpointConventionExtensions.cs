using MediaForge.Credits;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Charges credits for a minimal-API endpoint.</summary>
public static class CreditsEndpointConventionExtensions
{
    /// <summary>
    /// Makes the endpoint cost one use of <paramref name="feature"/> with <paramref name="model"/>: before the handler
    /// runs, the price is held for the signed-in user (402 problem details <c>insufficient_credits</c> when they cannot
    /// pay); a successful response (status below 400) captures the hold; an error response, an exception or a
    /// cancellation releases it. If the handler outlives its hold, the price is charged late from the credits spendable
    /// then; if they are not there, the response is replaced by a 402 <c>hold_expired</c> problem (or, if it had already
    /// started, delivered unpaid); each case is logged and counted by <c>mediaforge.credits.holds.capture_failed</c>.
    /// </summary>
    /// <typeparam name="TBuilder">The endpoint builder type.</typeparam>
    /// <param name="builder">The endpoint.</param>
    /// <param name="feature">The feature, as priced in <c>feature_pricing</c>.</param>
    /// <param name="model">The model, as priced in <c>feature_pricing</c>.</param>
    /// <param name="holdTtl">
    /// How long the hold lives: longer than the handler's longest run. Default
    /// <c>CreditsOptions.DefaultReservationTtl</c>; at most <c>CreditsOptions.MaxReservationTtl</c>.
    /// </param>
    /// <param name="idempotencyKey">
    /// The request's own idempotency key (a server-side job id, or a validated client key), or <see langword="null"/>.
    /// A second request with the same key never runs the handler again: 409 <c>duplicate_request</c>, or 409
    /// <c>idempotency_key_conflict</c> when the key was used for another feature, model or amount, or 400
    /// <c>invalid_idempotency_key</c> when the key is empty, too long or in the library's reserved <c>mf:</c> namespace.
    /// </param>
    /// <param name="wallet">
    /// Whose credits pay for the request (for example a team id from a route value or header, made into
    /// <see cref="CreditWallet.Team"/>), or <see langword="null"/> for the user's own. On a team's wallet the user must be
    /// an active member (403 <c>not_team_member</c>; teams turned off count as no membership) of an active team (403
    /// <c>team_frozen</c>), and the hold counts against the member's limit (402 <c>member_limit_reached</c>). When the
    /// function throws an <see cref="ArgumentException"/> (a malformed team id from the request): 400 <c>invalid_wallet</c>.
    /// </param>
    /// <returns>The same builder.</returns>
    public static TBuilder RequireCredits<TBuilder>(this TBuilder builder, string feature, string model, TimeSpan? holdTtl = null,
        Func<HttpContext, string?>? idempotencyKey = null, Func<HttpContext, CreditWallet>? wallet = null)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(feature);
        ArgumentException.ThrowIfNullOrWhiteSpace(model);
        if (holdTtl is { } ttl)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ttl, TimeSpan.Zero, nameof(holdTtl));
        }

        builder.RequireAuthorization();
        builder.AddEndpointFilter(new CreditRequirementFilter(feature, model, holdTtl, idempotencyKey, wallet));
        return builder;
    }
}
