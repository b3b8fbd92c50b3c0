using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace MediaForge.Credits.Storage.Configurations;

internal sealed class CreditSubscriptionPeriodConfiguration(CreditsTableNames names) : IEntityTypeConfiguration<CreditSubscriptionPeriodRow>
{
    public void Configure(EntityTypeBuilder<CreditSubscriptionPeriodRow> builder)
    {
        names.Apply(builder, "credit_subscription_periods");
        builder.HasKey(p => new { p.SubscriptionId, p.PeriodEnd });
        builder.Property(p => p.SubscriptionId).HasMaxLength(CreditsModelLimits.Reference);
        builder.Property(p => p.PlanId).HasMaxLength(CreditsModelLimits.Name);
        builder.HasOne<CreditSubscriptionRow>().WithMany().HasForeignKey(p => p.SubscriptionId).OnDelete(DeleteBehavior.Restrict);
    }
}
