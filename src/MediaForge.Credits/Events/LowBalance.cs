namespace MediaForge.Credits.Events;

/// <summary>The wallet's balance went below <see cref="CreditEventOptions.LowBalanceThreshold"/>: raised once per crossing (by the deduction or capture that crossed), armed again once a grant takes the balance back to the threshold or above.</summary>
public sealed class LowBalance : CreditEvent
{
    /// <summary>The name on the wire: <c>credits.low_balance</c>.</summary>
    public const string TypeName = "credits.low_balance";

    /// <inheritdoc />
    public override string Type => TypeName;

    /// <summary>The balance after the change that crossed.</summary>
    public long Balance { get; init; }

    /// <summary>The threshold that was crossed.</summary>
    public long Threshold { get; init; }
}
