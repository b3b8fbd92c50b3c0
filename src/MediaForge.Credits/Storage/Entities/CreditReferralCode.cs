namespace MediaForge.Credits.Entities;

/// <summary>A user's referral code (table <c>credit_referral_codes</c>): one per user, made on first use, never changed.</summary>
public sealed class CreditReferralCode
{
    /// <summary>The referrer (one code per user).</summary>
    public string UserId { get; set; } = "";

    /// <summary>The code: random upper-case letters and digits (no look-alikes), unique, not derived from the user id.</summary>
    public string Code { get; set; } = "";

    /// <summary>When the code was made (UTC): the first time the user asked for it.</summary>
    public DateTime CreatedAt { get; set; }
}
