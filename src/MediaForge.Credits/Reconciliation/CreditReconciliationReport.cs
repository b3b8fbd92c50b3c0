namespace MediaForge.Credits;

/// <summary>The outcome of <see cref="ICreditReconciliation.ReconcileAsync"/>.</summary>
public sealed record CreditReconciliationReport
{
    /// <summary>When the check ran.</summary>
    public required DateTimeOffset CheckedAt { get; init; }

    /// <summary>Balance rows checked.</summary>
    public required long AccountsChecked { get; init; }

    /// <summary>Completed purchases checked.</summary>
    public required long PurchasesChecked { get; init; }

    /// <summary>Balances that differ from the sum of their ledger (never repaired automatically: the ledger is the truth, a human decides).</summary>
    public required IReadOnlyList<CreditBalanceDiscrepancy> BalanceDiscrepancies { get; init; }

    /// <summary>Completed purchases whose grant is not in the ledger (with whether this run repaired them).</summary>
    public required IReadOnlyList<CreditPurchaseDiscrepancy> MissingGrants { get; init; }

    /// <summary>Paid checkout events that were processed without fulfilling a purchase (unknown session, amount mismatch).</summary>
    public required IReadOnlyList<CreditWebhookDiscrepancy> UnfulfilledPayments { get; init; }

    /// <summary>Whether nothing is left to fix: no balance discrepancy, every missing grant repaired, no unfulfilled payment.</summary>
    public bool IsConsistent => BalanceDiscrepancies.Count == 0 && MissingGrants.All(m => m.Repaired) && UnfulfilledPayments.Count == 0;
}
