namespace MediaForge.Credits;

/// <summary>Referrals (<see cref="CreditsOptions.Referrals"/>, configuration section <c>MediaForge:Credits:Referrals</c>).</summary>
public sealed class CreditReferralOptions
{
    /// <summary>Whether referrals work. Default <see langword="false"/>: codes are neither made nor attached, and nothing is granted.</summary>
    public bool Enabled { get; set; }

    /// <summary>Credits the referee gets when the referral is attached, once. Default 0: none.</summary>
    public long RefereeBonus { get; set; }

    /// <summary>Credits the referrer gets when the referee's qualifying event happens, once per referee. Default 0: none.</summary>
    public long ReferrerReward { get; set; }

    /// <summary>What earns the referrer the reward. Default <see cref="CreditReferralQualifyingEvent.FirstPaidPurchase"/>.</summary>
    public CreditReferralQualifyingEvent QualifyingEvent { get; set; }

    /// <summary>The smallest paid purchase (in its currency's cents) that qualifies. Default 1: any paid purchase.</summary>
    public long MinimumQualifyingPurchaseCents { get; set; } = 1;

    /// <summary>
    /// Rewards one referrer can earn per calendar month (UTC); a referral that qualifies past it is
    /// <see cref="Entities.CreditReferralStatus.CapReached"/>, for good. Default 10; <see langword="null"/>: no cap.
    /// </summary>
    public int? MonthlyRewardCap { get; set; } = 10;

    /// <summary>
    /// Referees one referrer's code can bring per calendar month (UTC) (each gets <see cref="RefereeBonus"/>); later
    /// attaches are refused. Default 100; <see langword="null"/>: no cap.
    /// </summary>
    public int? MonthlyAttachCap { get; set; } = 100;

    /// <summary>How long after sign-up (the user's row) a code can still be attached. Default 7 days.</summary>
    public TimeSpan AttachWindow { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// The path of the referral link, added to the host's public address with <c>?ref={code}</c>: default <c>/</c>.
    /// It starts with <c>/</c> and has no query or fragment.
    /// </summary>
    public string LinkPath { get; set; } = "/";

    /// <summary>
    /// How e-mail addresses are compared for the self-referral and one-referral-per-address guards. Default
    /// <see cref="CreditEmailNormalization.IgnoreSubaddressAndGmailDots"/> (the strictest: <c>jane+2@gmail.com</c> is
    /// <c>j.ane@gmail.com</c>).
    /// </summary>
    public CreditEmailNormalization EmailNormalization { get; set; } = CreditEmailNormalization.IgnoreSubaddressAndGmailDots;
}
