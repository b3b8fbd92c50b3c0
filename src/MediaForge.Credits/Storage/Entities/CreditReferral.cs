namespace MediaForge.Credits.Entities;

/// <summary>
/// One referee brought by one referrer (table <c>credit_referrals</c>). The referee is unique: a user is referred once,
/// for good, and so is a normalized e-mail address (its hash), so an account deleted and made again is not referred twice.
/// </summary>
public sealed class CreditReferral
{
    /// <summary>The referral id (a time-ordered GUID).</summary>
    public Guid Id { get; set; }

    /// <summary>The referred user (unique).</summary>
    public string RefereeId { get; set; } = "";

    /// <summary>The user whose code the referee used.</summary>
    public string ReferrerId { get; set; } = "";

    /// <summary>The code used.</summary>
    public string Code { get; set; } = "";

    /// <summary>The SHA-256 hash of the referee's normalized e-mail when attached (unique), or <see langword="null"/> when unknown.</summary>
    public string? RefereeEmailHash { get; set; }

    /// <summary>Where the referral stands.</summary>
    public CreditReferralStatus Status { get; set; }

    /// <summary>Credits the referee got when attached (0: none).</summary>
    public long RefereeBonus { get; set; }

    /// <summary>The ledger row of the referee's bonus, if any.</summary>
    public Guid? RefereeBonusTransactionId { get; set; }

    /// <summary>When the referee used the code (UTC).</summary>
    public DateTime AttachedAt { get; set; }

    /// <summary>When the qualifying event happened (UTC), rewarded or not.</summary>
    public DateTime? QualifiedAt { get; set; }

    /// <summary>The purchase that qualified the referral, when the qualifying event is a purchase.</summary>
    public Guid? QualifyingPurchaseId { get; set; }

    /// <summary>The host's reference of the qualifying event, when the host reported it.</summary>
    public string? QualifyingReference { get; set; }

    /// <summary>Credits the referrer got (0 until rewarded).</summary>
    public long Reward { get; set; }

    /// <summary>The ledger row of the referrer's reward, if any.</summary>
    public Guid? RewardTransactionId { get; set; }

    /// <summary>When the referrer was rewarded (UTC); counts towards the referrer's monthly cap in that month.</summary>
    public DateTime? RewardedAt { get; set; }

    /// <summary>When the reward was taken back (UTC).</summary>
    public DateTime? ClawedBackAt { get; set; }

    /// <summary>Credits of the reward actually removed from the referrer (less than the reward when they were spent, under <see cref="CreditClawbackPolicy.ClampAtZero"/>).</summary>
    public long CreditsClawedBack { get; set; }
}
