using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace MediaForge.Credits.Storage.Configurations;

internal sealed class FeaturePriceConfiguration(CreditsTableNames names) : IEntityTypeConfiguration<FeaturePrice>
{
    public void Configure(EntityTypeBuilder<FeaturePrice> builder)
    {
        names.Apply(builder, "feature_pricing");
        builder.HasKey(p => new { p.Feature, p.Model });
        builder.Property(p => p.Feature).HasMaxLength(CreditsModelLimits.Name);
        builder.Property(p => p.Model).HasMaxLength(CreditsModelLimits.Name);
        builder.Property(p => p.Description).HasMaxLength(CreditsModelLimits.Description);
    }
}
