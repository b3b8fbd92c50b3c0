using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace MediaForge.Credits.Storage.Configurations;

internal sealed class CreditPlanConfiguration(CreditsTableNames names) : IEntityTypeConfiguration<CreditPlan>
{
    public void Configure(EntityTypeBuilder<CreditPlan> builder)
    {
        names.Apply(builder, "credit_plans");
        builder.HasKey(p => p.Id);
        builder.Property(p => p.Id).HasMaxLength(CreditsModelLimits.Name).ValueGeneratedNever();
        builder.Property(p => p.Name).HasMaxLength(100);
        builder.Property(p => p.Description).HasMaxLength(CreditsModelLimits.Description);
        builder.Property(p => p.StripePriceId).HasMaxLength(CreditsModelLimits.Reference);
        builder.Property(p => p.RolloverPolicy).HasConversion<string>().HasMaxLength(CreditsModelLimits.EnumName);
        builder.Property(p => p.Currency).HasMaxLength(3);
        builder.Property(p => p.Interval).HasMaxLength(CreditsModelLimits.EnumName);
        builder.HasIndex(p => p.StripePriceId).IsUnique(); // events name the plan by its price
    }
}
