namespace MediaForge.Credits.Events;

/// <summary>Credits were added to the wallet: a purchase, bonus, refund of usage, positive adjustment or restored dispute.</summary>
public sealed class Granted : CreditEvent
{
    /// <summary>The name on the wire: <c>credits.granted</c>.</summary>
    public const string TypeName = "credits.granted";

    /// <inheritdoc />
    public override string Type => TypeName;

    /// <summary>The credits added.</summary>
    public long Amount { get; init; }

    /// <summary>The balance after the grant.</summary>
    public long Balance { get; init; }

    /// <summary>The kind of grant.</summary>
    public CreditTransactionType TransactionType { get; init; }

    /// <summary>The ledger row of the grant.</summary>
    public Guid TransactionId { get; init; }
}
