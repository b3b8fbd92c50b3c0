namespace MediaForge.Credits;

/// <summary>The referral funnel of a time range: each count is of the step that happened in the range.</summary>
public sealed record CreditReferralFunnel
{
    /// <summary>Referral codes made (a user asked for theirs: shared, or about to be).</summary>
    public long CodesCreated { get; init; }

    /// <summary>Referrals attached.</summary>
    public long Attached { get; init; }

    /// <summary>Referrals whose qualifying event happened (rewarded, capped or disqualified).</summary>
    public long Qualified { get; init; }

    /// <summary>Referrers rewarded.</summary>
    public long Rewarded { get; init; }

    /// <summary>Rewards taken back.</summary>
    public long ClawedBack { get; init; }
}
