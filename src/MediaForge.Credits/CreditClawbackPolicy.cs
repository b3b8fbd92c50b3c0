namespace MediaForge.Credits;

/// <summary>What happens when a refunded or disputed purchase's credits were already spent.</summary>
public enum CreditClawbackPolicy
{
    /// <summary>Remove what is still spendable, never go below zero, and record the rest as a shortfall on the purchase. The default.</summary>
    ClampAtZero = 0,

    /// <summary>Remove it all; the balance may go negative (a debt), which the next grant repays. Deductions stay refused while in debt.</summary>
    AllowNegativeBalance = 1,
}
