namespace MediaForge.Credits.Events;

/// <summary>
/// A wallet's low-balance alert state (table <c>credit_alert_states</c>): no row, or not alerted, is armed. Written only
/// when an alert fires or is armed again, under the wallet's balance-row lock.
/// </summary>
internal sealed class CreditAlertState
{
    /// <summary>The wallet (account id).</summary>
    // Stryker disable once String : equivalent: the only writer (CreditBalanceAlerts.DisarmAsync) sets it; a read fills it from its non-null column
    public string WalletId { get; set; } = "";

    /// <summary>Whether <see cref="LowBalance"/> was raised and the balance has not come back to the threshold since.</summary>
    public bool LowBalanceAlerted { get; set; }

    /// <summary>When the state last changed (UTC).</summary>
    public DateTime UpdatedAt { get; set; }
}
