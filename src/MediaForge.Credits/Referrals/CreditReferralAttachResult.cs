namespace MediaForge.Credits;

/// <summary>The outcome of <see cref="ICreditReferralService.AttachReferralAsync"/>.</summary>
public sealed record CreditReferralAttachResult
{
    /// <summary>What happened.</summary>
    public required CreditReferralAttachOutcome Outcome { get; init; }

    /// <summary>Whether the referee is referred by this code's owner now (attached now or before).</summary>
    public bool IsAttached => Outcome is CreditReferralAttachOutcome.Attached or CreditReferralAttachOutcome.AlreadyAttached;

    /// <summary>Credits the referee got for the referral (now or when it was attached); 0 when refused.</summary>
    public long RefereeBonus { get; init; }
}
