using MediaForge.Credits.Storage.Configurations;

namespace MediaForge.Credits.Storage;

/// <summary>Adds the credit tables to any <see cref="DbContext"/> model.</summary>
public static class CreditsModelBuilderExtensions
{
    /// <summary>
    /// Maps the credit entities (<c>users</c>, <c>credits</c>, <c>credit_transactions</c>, <c>usage_logs</c>,
    /// <c>credit_packages</c>, <c>purchases</c>, <c>feature_pricing</c>, <c>webhook_events</c>, <c>credit_reservations</c>, <c>credit_grants</c>, <c>credit_usage_hours</c>, <c>credit_schema_versions</c>, <c>credit_referral_codes</c>, <c>credit_referrals</c>, <c>credit_gifts</c>, <c>credit_teams</c>, <c>credit_team_members</c>, <c>credit_events</c>, <c>credit_alert_states</c>, <c>credit_webhook_deliveries</c>) into the model, so they can live in the host's
    /// own <see cref="DbContext"/>. Call it from <c>OnModelCreating</c>. The mapping is portable: keys, indexes, lengths
    /// and names only, no provider-specific column types.
    /// </summary>
    /// <param name="modelBuilder">The model builder of the host's context.</param>
    /// <param name="options">Table prefix and schema; default: none.</param>
    /// <returns>The same model builder.</returns>
    public static ModelBuilder ApplyCreditsModel(this ModelBuilder modelBuilder, CreditsModelOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        var names = new CreditsTableNames(options ?? new CreditsModelOptions());
        modelBuilder.ApplyConfiguration(new CreditUserConfiguration(names));
        modelBuilder.ApplyConfiguration(new CreditAccountConfiguration(names));
        modelBuilder.ApplyConfiguration(new CreditTransactionConfiguration(names));
        modelBuilder.ApplyConfiguration(new UsageLogConfiguration(names));
        modelBuilder.ApplyConfiguration(new CreditPackageConfiguration(names));
        modelBuilder.ApplyConfiguration(new CreditPackageTierConfiguration(names));
        modelBuilder.ApplyConfiguration(new CreditPurchaseConfiguration(names));
        modelBuilder.ApplyConfiguration(new FeaturePriceConfiguration(names));
        modelBuilder.ApplyConfiguration(new WebhookEventConfiguration(names));
        modelBuilder.ApplyConfiguration(new CreditReservationConfiguration(names));
        modelBuilder.ApplyConfiguration(new CreditGrantConfiguration(names));
        modelBuilder.ApplyConfiguration(new CreditUsageHourConfiguration(names));
        modelBuilder.ApplyConfiguration(new CreditSchemaVersionConfiguration(names));
        modelBuilder.ApplyConfiguration(new CreditReferralCodeConfiguration(names));
        modelBuilder.ApplyConfiguration(new CreditReferralConfiguration(names));
        modelBuilder.ApplyConfiguration(new CreditGiftConfiguration(names));
        modelBuilder.ApplyConfiguration(new CreditTeamConfiguration(names));
        modelBuilder.ApplyConfiguration(new CreditTeamMemberConfiguration(names));
        modelBuilder.ApplyConfiguration(new CreditEventConfiguration(names));
        modelBuilder.ApplyConfiguration(new CreditAlertStateConfiguration(names));
        modelBuilder.ApplyConfiguration(new CreditWebhookDeliveryConfiguration(names));
        modelBuilder.ApplyConfiguration(new CreditPlanConfiguration(names));
        modelBuilder.ApplyConfiguration(new CreditSubscriptionConfiguration(names));
        modelBuilder.ApplyConfiguration(new CreditSubscriptionPeriodConfiguration(names));
        modelBuilder.ApplyConfiguration(new CreditAutoTopUpConfiguration(names));
        modelBuilder.ApplyConfiguration(new CreditTopUpConfiguration(names));
        return modelBuilder;
    }
}
