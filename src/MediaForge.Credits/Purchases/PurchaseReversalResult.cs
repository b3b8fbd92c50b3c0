namespace MediaForge.Credits;

/// <summary>The outcome of recording a refund or a dispute of a purchase.</summary>
public sealed record PurchaseReversalResult
{
    /// <summary>Whether a completed purchase has that payment.</summary>
    public required bool Found { get; init; }

    /// <summary>Credits removed by this call.</summary>
    public long CreditsRemoved { get; init; }

    /// <summary>Credits given back by this call (a dispute won).</summary>
    public long CreditsRestored { get; init; }

    /// <summary>Credits that could not be removed by this call because they were spent (clamp-at-zero policy).</summary>
    public long Shortfall { get; init; }

    /// <summary>The buyer's balance afterwards, when found.</summary>
    public long? Balance { get; init; }
}
