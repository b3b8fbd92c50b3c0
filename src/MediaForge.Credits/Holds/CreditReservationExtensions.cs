namespace MediaForge.Credits;

/// <summary>The disposable-hold pattern over <see cref="ICreditReservationService"/>.</summary>
public static class CreditReservationExtensions
{
    /// <summary>Reserves like <see cref="ICreditReservationService.ReserveCreditsAsync"/> and returns a hold that releases itself on dispose unless captured.</summary>
    /// <param name="reservations">The reservation service.</param>
    /// <param name="userId">The user id.</param>
    /// <param name="feature">The feature.</param>
    /// <param name="model">The model.</param>
    /// <param name="ttl">How long the hold lives.</param>
    /// <param name="idempotencyKey">A key unique per user.</param>
    /// <param name="amount">Credits to hold instead of the price.</param>
    /// <param name="cancellationToken">Cancels the reservation.</param>
    /// <param name="wallet">Whose credits are held: the user's own (default) or a team's (see <see cref="ICreditReservationService.ReserveCreditsAsync"/>).</param>
    /// <returns>The hold; check <see cref="CreditHold.IsHeld"/>.</returns>
    public static async Task<CreditHold> ReserveAsync(this ICreditReservationService reservations, string userId, string feature, string model,
        TimeSpan? ttl = null, string? idempotencyKey = null, long? amount = null, CancellationToken cancellationToken = default,
        CreditWallet wallet = default)
    {
        ArgumentNullException.ThrowIfNull(reservations);
        var result = await reservations.ReserveCreditsAsync(userId, feature, model, ttl, idempotencyKey, amount, cancellationToken, wallet).ConfigureAwait(false);
        return new CreditHold(reservations, result);
    }
}
