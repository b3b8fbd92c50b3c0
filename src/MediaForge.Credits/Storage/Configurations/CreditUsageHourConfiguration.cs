using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace MediaForge.Credits.Storage.Configurations;

internal sealed class CreditUsageHourConfiguration(CreditsTableNames names) : IEntityTypeConfiguration<CreditUsageHour>
{
    public void Configure(EntityTypeBuilder<CreditUsageHour> builder)
    {
        names.Apply(builder, "credit_usage_hours");
        // The upsert's conflict target; range reads by hour use its prefix.
        builder.HasKey(h => new { h.HourStart, h.Feature, h.Model, h.IsUnlimited, h.Shard });
        builder.Property(h => h.Feature).HasMaxLength(CreditsModelLimits.Name);
        builder.Property(h => h.Model).HasMaxLength(CreditsModelLimits.Name);
    }
}
