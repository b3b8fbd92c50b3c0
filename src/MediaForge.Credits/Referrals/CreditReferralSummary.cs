using System.Collections.ObjectModel;

namespace MediaForge.Credits;

/// <summary>A referrer's own view: the code, how many users it brought and where they stand, and the rewards earned. Nothing about the referees themselves.</summary>
public sealed record CreditReferralSummary
{
    /// <summary>The user's referral code.</summary>
    public required string Code { get; init; }

    /// <summary>Users referred with the code.</summary>
    public int Referred { get; init; }

    /// <summary>How many of them are in each status (statuses with none are left out).</summary>
    public IReadOnlyDictionary<CreditReferralStatus, int> Statuses { get; init; } = ReadOnlyDictionary<CreditReferralStatus, int>.Empty;

    /// <summary>Credits earned by rewards and not taken back.</summary>
    public long RewardsEarned { get; init; }
}
