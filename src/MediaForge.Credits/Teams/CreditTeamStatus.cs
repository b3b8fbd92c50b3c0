using System.Text.Json.Serialization;

namespace MediaForge.Credits;

/// <summary>Whether a team's wallet can be used (stored and sent as its name).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<CreditTeamStatus>))]
public enum CreditTeamStatus
{
    /// <summary>The team works.</summary>
    Active = 0,

    /// <summary>
    /// The team is frozen for good (its Clerk organization was deleted): no spending, buying or membership change. Its
    /// ledger, balance and members are kept and can still be read.
    /// </summary>
    Frozen = 1,
}
