namespace MediaForge.Credits;

/// <summary>A balance row that does not equal the sum of its user's ledger.</summary>
public sealed record CreditBalanceDiscrepancy
{
    /// <summary>The user id.</summary>
    public required string UserId { get; init; }

    /// <summary>The balance row's value.</summary>
    public required long Balance { get; init; }

    /// <summary>The sum of the user's ledger rows.</summary>
    public required long LedgerSum { get; init; }
}
