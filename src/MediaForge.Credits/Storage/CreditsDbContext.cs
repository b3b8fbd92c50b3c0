namespace MediaForge.Credits.Storage;

/// <summary>
/// A ready <see cref="DbContext"/> that holds only the credit tables, for hosts that keep credits in a database of
/// their own. Hosts that want one transaction over their own rows and the credits call
/// <see cref="CreditsModelBuilderExtensions.ApplyCreditsModel"/> in their own context instead.
/// </summary>
public class CreditsDbContext : DbContext
{
    /// <summary>Creates the context.</summary>
    /// <param name="options">The context options (provider, connection).</param>
    public CreditsDbContext(DbContextOptions<CreditsDbContext> options)
        : base(options)
    {
    }

    /// <summary>Creates the context for a derived type.</summary>
    /// <param name="options">The context options (provider, connection).</param>
    protected CreditsDbContext(DbContextOptions options)
        : base(options)
    {
    }

    /// <summary>Users (<c>users</c>).</summary>
    public DbSet<CreditUser> Users => Set<CreditUser>();

    /// <summary>Balances (<c>credits</c>).</summary>
    public DbSet<CreditAccount> Accounts => Set<CreditAccount>();

    /// <summary>The ledger (<c>credit_transactions</c>).</summary>
    public DbSet<CreditTransaction> Transactions => Set<CreditTransaction>();

    /// <summary>Feature usage (<c>usage_logs</c>).</summary>
    public DbSet<UsageLog> UsageLogs => Set<UsageLog>();

    /// <summary>Credit packs (<c>credit_packages</c>).</summary>
    public DbSet<CreditPackage> Packages => Set<CreditPackage>();

    /// <summary>Volume discounts of the credit packs (<c>credit_package_tiers</c>).</summary>
    public DbSet<CreditPackageTier> PackageTiers => Set<CreditPackageTier>();

    /// <summary>Purchases (<c>purchases</c>).</summary>
    public DbSet<CreditPurchase> Purchases => Set<CreditPurchase>();

    /// <summary>Feature prices (<c>feature_pricing</c>).</summary>
    public DbSet<FeaturePrice> FeaturePricing => Set<FeaturePrice>();

    /// <summary>Processed webhook deliveries (<c>webhook_events</c>).</summary>
    public DbSet<WebhookEvent> WebhookEvents => Set<WebhookEvent>();

    /// <summary>Credit holds of long jobs (<c>credit_reservations</c>).</summary>
    public DbSet<CreditReservation> Reservations => Set<CreditReservation>();

    /// <summary>Expiring lots of credits (<c>credit_grants</c>).</summary>
    public DbSet<CreditGrant> Grants => Set<CreditGrant>();

    /// <summary>Users' referral codes (<c>credit_referral_codes</c>).</summary>
    public DbSet<CreditReferralCode> ReferralCodes => Set<CreditReferralCode>();

    /// <summary>Referrals (<c>credit_referrals</c>).</summary>
    public DbSet<CreditReferral> Referrals => Set<CreditReferral>();

    /// <inheritdoc />
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        var options = new CreditsModelOptions();
        ConfigureCreditsModel(options);
        modelBuilder.ApplyCreditsModel(options);
    }

    /// <summary>
    /// On MySQL / MariaDB, which keep no time zone with a <c>datetime</c>, every <see cref="DateTime"/> is read back as UTC
    /// (<see cref="DateTimeKind.Utc"/>, as PostgreSQL returns a <c>timestamptz</c>); the library writes UTC only. Other
    /// providers keep their conventions.
    /// </summary>
    /// <param name="configurationBuilder">The conventions of the model.</param>
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        ArgumentNullException.ThrowIfNull(configurationBuilder);
        if (CreditLedgerSchema.IsMySqlProvider(Database.ProviderName))
        {
            configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
            configurationBuilder.Properties<DateTime?>().HaveConversion<UtcDateTimeConverter>();
        }
    }

    /// <summary>
    /// Sets the table prefix or schema. The default uses neither; override it in a derived context to change them (EF
    /// caches one model per context type, so each naming needs its own type).
    /// </summary>
    /// <param name="options">The naming to change.</param>
    protected virtual void ConfigureCreditsModel(CreditsModelOptions options)
    {
    }
}
