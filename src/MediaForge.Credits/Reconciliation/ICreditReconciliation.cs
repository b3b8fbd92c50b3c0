namespace MediaForge.Credits;

/// <summary>
/// Proves the ledger: every balance row equals the sum of its user's ledger, every completed purchase has its grant,
/// and every paid Stripe checkout event seen was fulfilled. Optionally repairs missing fulfilments, idempotently (with
/// the same ledger idempotency keys as the fulfilment itself, so a repair can never grant twice). Registered by
/// <see cref="CreditsBuilder.UseEntityFrameworkCore{TContext}"/> (scoped).
/// </summary>
public interface ICreditReconciliation
{
    /// <summary>Checks the whole ledger and reports every discrepancy.</summary>
    /// <param name="repairMissingGrants">Whether to grant the credits of completed purchases that have no ledger grant.</param>
    /// <param name="cancellationToken">Cancels the queries.</param>
    /// <returns>The report.</returns>
    Task<CreditReconciliationReport> ReconcileAsync(bool repairMissingGrants = false, CancellationToken cancellationToken = default);
}
