namespace MediaForge.Credits;

/// <summary>
/// A hold on credits for the common pattern <c>await using var hold = await reservations.ReserveAsync(...); ...
/// await hold.CaptureAsync();</c>: if the hold is not captured (an exception, a cancellation), disposing releases it.
/// A replayed hold (<see cref="CreditReservationResult.IsReplay"/>: an earlier call with the same idempotency key took
/// it) is not released on dispose: it belongs to that call.
/// </summary>
public sealed class CreditHold : IAsyncDisposable
{
    private readonly ICreditReservationService reservations;
    private bool settled;

    internal CreditHold(ICreditReservationService reservations, CreditReservationResult result)
    {
        this.reservations = reservations;
        Result = result;
        // A replay is the hold of an earlier call (perhaps still running): disposing this one must not release it.
        settled = !result.Success || result.IsReplay;
    }

    /// <summary>What the reservation returned.</summary>
    public CreditReservationResult Result { get; }

    /// <summary>Whether the credits are held (false: not enough credits, see <see cref="Result"/>).</summary>
    public bool IsHeld => Result.Success;

    /// <summary>Charges the hold (all, or <paramref name="actualAmount"/>).</summary>
    /// <param name="actualAmount">Credits to charge, at most the held amount.</param>
    /// <param name="cancellationToken">Cancels the capture.</param>
    /// <exception cref="InvalidOperationException">Nothing is held.</exception>
    public async Task<CreditReservationSettlement> CaptureAsync(long? actualAmount = null, CancellationToken cancellationToken = default)
    {
        var id = Result.ReservationId ?? throw new InvalidOperationException("Nothing is held: the reservation did not succeed.");
        var settlement = await reservations.CaptureReservationAsync(id, actualAmount, cancellationToken).ConfigureAwait(false);
        settled = true;
        return settlement;
    }

    /// <summary>Releases the hold now.</summary>
    /// <param name="cancellationToken">Cancels the release.</param>
    public async Task<CreditReservationSettlement?> ReleaseAsync(CancellationToken cancellationToken = default)
    {
        if (settled || Result.ReservationId is not { } id)
        {
            return null;
        }

        settled = true;
        return await reservations.ReleaseReservationAsync(id, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Releases the hold unless it was captured or released.</summary>
    public async ValueTask DisposeAsync() => await ReleaseAsync(CancellationToken.None).ConfigureAwait(false);
}
