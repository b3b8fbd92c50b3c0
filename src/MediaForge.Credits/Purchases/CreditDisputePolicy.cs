using System.Text.Json.Serialization;

namespace MediaForge.Credits;

/// <summary>What happens to a purchase's credits while a dispute (chargeback) of its payment is open.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<CreditDisputePolicy>))]
public enum CreditDisputePolicy
{
    /// <summary>Remove the disputed share when the dispute opens; restore it if the dispute is won. The default.</summary>
    ClawBackOnOpen = 0,

    /// <summary>
    /// Hold the disputed share (not spendable, still owned) while open; release it if won, remove it if lost. Credits
    /// already under another hold are frozen too: releasing that hold does not make them spendable while the dispute is open.
    /// </summary>
    FreezeOnOpen = 1,
}
