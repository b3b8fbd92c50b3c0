using System.Text.Json.Serialization;

namespace MediaForge.Credits;

/// <summary>What happens when a refunded or disputed purchase's credits were already spent.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<CreditClawbackPolicy>))]
public enum CreditClawbackPolicy
{
    /// <summary>
    /// Remove what is left of the balance (credits under a hold included), never go below zero, and record the rest as a
    /// shortfall on the purchase. A hold whose credits were clawed back frees nothing when released and charges at most
    /// the balance left when captured. The default.
    /// </summary>
    ClampAtZero = 0,

    /// <summary>
    /// Remove it all; the balance may go negative (a debt), which the next grant repays. Deductions stay refused while in
    /// debt. A hold captured after the clawback charges in full (the same debt as if it had been captured first).
    /// </summary>
    AllowNegativeBalance = 1,
}
