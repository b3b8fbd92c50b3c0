namespace MediaForge.Credits.Events;

/// <summary>A reservation (hold) lapsed before it was captured or released; its credits are spendable again.</summary>
public sealed class HoldExpired : CreditEvent
{
    /// <summary>The name on the wire: <c>hold.expired</c>.</summary>
    public const string TypeName = "hold.expired";

    /// <inheritdoc />
    public override string Type => TypeName;

    /// <summary>The reservation.</summary>
    public Guid ReservationId { get; init; }

    /// <summary>The credits it held.</summary>
    public long Amount { get; init; }
}
