namespace MediaForge.Credits;

/// <summary>Options of the credit system (configuration section <c>MediaForge:Credits</c>).</summary>
public sealed class CreditsOptions
{
    /// <summary>The configuration section the options are bound from.</summary>
    public const string SectionName = "MediaForge:Credits";

    /// <summary>User ids that are unlimited (admins): nothing is deducted from them, their usage is still logged.</summary>
    public ICollection<string> AdminUserIds { get; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>
    /// How long feature prices are cached in memory before they are read again. Default 30 seconds;
    /// <see cref="TimeSpan.Zero"/> reads them on every call.
    /// </summary>
    public TimeSpan PricingCacheDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long free credits live: <see cref="CreditTransactionType.Bonus"/> grants and free packages without their own
    /// lifetime. Default <see langword="null"/>: they never expire. Purchased credits never expire unless their package
    /// sets <see cref="Entities.CreditPackage.CreditLifetimeDays"/>.
    /// </summary>
    public TimeSpan? BonusCreditLifetime { get; set; }

    /// <summary>
    /// The burn order: each credit category's priority (by name, without case), lowest spent first. Every debit (deduction,
    /// capture, transfer, gift, clawback after the reversed grant's own credits) takes credits by priority, then soonest
    /// expiry, then oldest. Default: <c>allowance</c> 10, <c>promotional</c> 20, <c>paid</c> 30, which keeps paid credits
    /// longest. A host's own category needs an entry here before it is granted; a grant keeps the priority its category
    /// had when it was granted. At most 32 categories, priorities 0 to 1000.
    /// </summary>
    public IDictionary<string, int> CategoryPriorities { get; } = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase)
    {
        [CreditCategory.Allowance.Name] = 10,
        [CreditCategory.Promotional.Name] = 20,
        [CreditCategory.Paid.Name] = 30,
    };

    /// <summary>
    /// Whether a free package is granted once per normalized e-mail as well as once per user id. Default
    /// <see langword="true"/>: deleting an account and signing up again with the same address gets nothing more. The
    /// e-mail is the one on the user's row when the package is claimed (for Clerk: the primary address); only its
    /// SHA-256 hash is kept with the claim, so the guard survives the erasure of the user's personal data. A user
    /// with no known e-mail is guarded per user id only.
    /// </summary>
    public bool OneFreePackagePerEmail { get; set; } = true;

    /// <summary>
    /// How e-mail addresses are normalized for <see cref="OneFreePackagePerEmail"/>. Default
    /// <see cref="CreditEmailNormalization.TrimAndLowerCase"/>.
    /// </summary>
    public CreditEmailNormalization FreePackageEmailNormalization { get; set; }

    /// <summary>What happens when refunded or disputed credits were already spent. Default <see cref="CreditClawbackPolicy.ClampAtZero"/>.</summary>
    public CreditClawbackPolicy ClawbackPolicy { get; set; }

    /// <summary>What an open dispute does to the purchase's credits. Default <see cref="CreditDisputePolicy.ClawBackOnOpen"/>.</summary>
    public CreditDisputePolicy DisputePolicy { get; set; }

    /// <summary>Gifts of credits: the switch (off by default), the largest gift, lifetimes, the note's length and the redemption rate limit.</summary>
    public CreditGiftOptions Gifts { get; } = new();

    /// <summary>Referrals: codes, rewards, the qualifying event and the guards' limits (off until <see cref="CreditReferralOptions.Enabled"/>).</summary>
    public CreditReferralOptions Referrals { get; } = new();

    /// <summary>Team wallets: the switch (off by default) and the period members' spending limits count over.</summary>
    public CreditTeamOptions Teams { get; } = new();

    /// <summary>Host events: the low-balance threshold and the outbox dispatcher's timing (see <see cref="Events.ICreditEventHandler{TEvent}"/>).</summary>
    public Events.CreditEventOptions Events { get; } = new();
    /// <summary>Subscription allowances: the upgrade policy and how long a rollover plan's allowance outlives its period.</summary>
    public CreditSubscriptionOptions Subscriptions { get; } = new();

    /// <summary>Auto top-up: failures before a wallet pauses, the retry delay and the charging worker's timing.</summary>
    public CreditAutoTopUpOptions AutoTopUp { get; } = new();

    /// <summary>How long a reservation lives when the caller gives no time-to-live. Default 15 minutes.</summary>
    public TimeSpan DefaultReservationTtl { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>The longest time-to-live a reservation may ask for. Default 24 hours.</summary>
    public TimeSpan MaxReservationTtl { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How often the hosted sweeper expires lapsed reservations. Default 1 minute.</summary>
    public TimeSpan ReservationSweepInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Whether concurrent deductions share transactions (group commit). Default <see langword="true"/>: deductions that
    /// arrive while an earlier one is being written are applied together in the next transaction, each with its own
    /// conditional debit, ledger row, usage log and outcome, so throughput rises with concurrency and no guarantee
    /// changes. They run on a context from a DI scope of their own, so turn this off when the credit
    /// <c>DbContext</c> depends on the request (a tenant's connection string, say). A caller with its own transaction
    /// open is never coalesced: the deduction joins that transaction.
    /// </summary>
    public bool CoalesceDeductions { get; set; } = true;

    /// <summary>Transfers between users: the switch that turns them off and the most one transfer may move.</summary>
    public CreditTransferOptions Transfers { get; } = new();

    /// <summary>Prompts longer than this are truncated in the usage log. Default 4,000 characters.</summary>
    public int MaxPromptLength { get; set; } = 4000;

    /// <summary>
    /// Packages that set-up inserts when missing (never overwriting edited rows). Defaults: starter (50 credits, free,
    /// once per user), pro (200 credits, 2999 USD cents, most popular), enterprise (1000 credits, 9999 USD cents).
    /// </summary>
    public IList<CreditPackage> DefaultPackages { get; } = CreditsDefaults.Packages();

    /// <summary>
    /// Volume discounts that set-up inserts with their package, when it inserts that package (an existing catalogue's
    /// prices never change on start-up or upgrade; add tiers to it as rows of <c>credit_package_tiers</c>). Defaults: pro
    /// 5% off from 1,000 credits and 10% off from 5,000; enterprise 10% off from 5,000 and 15% off from 20,000.
    /// </summary>
    public IList<CreditPackageTier> DefaultPackageTiers { get; } = CreditsDefaults.PackageTiers();

    /// <summary>Bounds of volume purchases (several packs, or a custom credit amount).</summary>
    public CreditVolumeOptions Volume { get; } = new();

    /// <summary>
    /// Feature prices that set-up inserts when missing (never overwriting edited rows). Defaults: video-generation
    /// hailuo 8, veo2 15; map-animation hailuo 5, veo2 10; image-generation default 3.
    /// </summary>
    public IList<FeaturePrice> DefaultFeaturePricing { get; } = CreditsDefaults.FeaturePricing();

    /// <summary>
    /// Subscription plans that set-up inserts when missing (never overwriting edited rows), next to the packages.
    /// Default: none (each plan names a Stripe price of the host's account).
    /// </summary>
    public IList<CreditPlan> DefaultPlans { get; } = [];
}
