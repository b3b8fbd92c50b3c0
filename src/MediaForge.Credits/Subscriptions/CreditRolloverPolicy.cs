using System.Text.Json.Serialization;

namespace MediaForge.Credits;

/// <summary>What a plan does at renewal with the allowance not used in the period that ends.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<CreditRolloverPolicy>))]
public enum CreditRolloverPolicy
{
    /// <summary>The unused allowance expires at the end of its period.</summary>
    Expire = 0,

    /// <summary>
    /// The unused allowance is carried into the next period, up to <see cref="Entities.CreditPlan.RolloverCap"/>, in the
    /// renewal's transaction; the rest expires then. The allowance lasts <see cref="CreditSubscriptionOptions.RenewalGrace"/>
    /// past its period so that a renewal paid a little late still finds it.
    /// </summary>
    Rollover = 1,
}
