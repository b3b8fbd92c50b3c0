using System.Text.Json.Serialization;

namespace MediaForge.Credits;

/// <summary>When a subscription moved to a plan with a larger allowance gets it. A downgrade always applies at renewal.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<CreditPlanUpgradePolicy>))]
public enum CreditPlanUpgradePolicy
{
    /// <summary>The difference between the new and the old allowance is granted at once, for the current (paid) period.</summary>
    GrantDifference = 0,

    /// <summary>The new allowance applies from the next paid period.</summary>
    AtRenewal = 1,
}
