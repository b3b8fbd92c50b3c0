using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace MediaForge.Credits.Storage.Configurations;

internal sealed class CreditPackageConfiguration(CreditsTableNames names) : IEntityTypeConfiguration<CreditPackage>
{
    public void Configure(EntityTypeBuilder<CreditPackage> builder)
    {
        names.Apply(builder, "credit_packages");
        builder.HasKey(p => p.Id);
        builder.Property(p => p.Id).HasMaxLength(CreditsModelLimits.Name);
        builder.Property(p => p.Name).HasMaxLength(100);
        builder.Property(p => p.Description).HasMaxLength(CreditsModelLimits.Description);
        builder.Property(p => p.Currency).HasMaxLength(3);
    }
}
