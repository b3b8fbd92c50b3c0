namespace MediaForge.Credits.Events;

/// <summary>A deduction or capture took the wallet's balance to zero (raised each time the balance reaches zero from above).</summary>
public sealed class Depleted : CreditEvent
{
    /// <summary>The name on the wire: <c>credits.depleted</c>.</summary>
    public const string TypeName = "credits.depleted";

    /// <inheritdoc />
    public override string Type => TypeName;

    /// <summary>The credits the change that emptied the wallet took.</summary>
    public long Amount { get; init; }
}
