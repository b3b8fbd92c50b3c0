namespace MediaForge.Credits;

/// <summary>A completed purchase whose credits are not (or were not, before the repair) in the ledger.</summary>
public sealed record CreditPurchaseDiscrepancy
{
    /// <summary>The purchase id.</summary>
    public required Guid PurchaseId { get; init; }

    /// <summary>The buyer.</summary>
    public required string UserId { get; init; }

    /// <summary>The package.</summary>
    public required string PackageId { get; init; }

    /// <summary>The payment provider's session id, if any (free claims have none).</summary>
    public string? ProviderSessionId { get; init; }

    /// <summary>The credits the purchase should have granted.</summary>
    public required long Credits { get; init; }

    /// <summary>Whether this run repaired it (granted, or linked an existing grant with the purchase's key).</summary>
    public required bool Repaired { get; init; }

    /// <summary>The ledger row of the grant after the repair.</summary>
    public Guid? TransactionId { get; init; }
}
