namespace MediaForge.Credits.Events;

/// <summary>An automatic top-up could not be charged (declined, or the card needs the customer: raised by auto top-up).</summary>
public sealed class TopUpFailed : CreditEvent
{
    /// <summary>The name on the wire: <c>top_up.failed</c>.</summary>
    public const string TypeName = "top_up.failed";

    /// <inheritdoc />
    public override string Type => TypeName;

    /// <summary>The package that was to be bought.</summary>
    // Stryker disable once String : equivalent: the only raiser (CreditTopUpCharges) sets it, and every payload carries it (Serialize writes every property; it is as old as the event)
    public string PackageId { get; init; } = "";

    /// <summary>Why, as the payment provider said it (a decline code or <c>requires_action</c>).</summary>
    // Stryker disable once String : equivalent: the only raiser (CreditTopUpCharges) sets it, and every payload carries it (Serialize writes every property; it is as old as the event)
    public string Reason { get; init; } = "";

    /// <summary>The top-up (one per crossing of the threshold; the same on each of its attempts).</summary>
    public Guid TopUpId { get; init; }

    /// <summary>Which attempt of the top-up failed (1 for the first charge, then one per retry).</summary>
    public int Attempt { get; init; }

    /// <summary>Whether auto top-up is now paused for the wallet (too many failures in a row).</summary>
    public bool Paused { get; init; }
}
