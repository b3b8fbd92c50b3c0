using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace MediaForge.Credits.Storage.Configurations;

internal sealed class CreditPackageTierConfiguration(CreditsTableNames names) : IEntityTypeConfiguration<CreditPackageTier>
{
    public void Configure(EntityTypeBuilder<CreditPackageTier> builder)
    {
        names.Apply(builder, "credit_package_tiers");
        builder.HasKey(t => new { t.PackageId, t.MinCredits });
        builder.Property(t => t.PackageId).HasMaxLength(CreditsModelLimits.Name);
        builder.HasOne<CreditPackage>().WithMany().HasForeignKey(t => t.PackageId).OnDelete(DeleteBehavior.Cascade);
    }
}
