using MediaForge.Credits.Storage.Schema;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace MediaForge.Credits.Storage.Configurations;

internal sealed class CreditSchemaVersionConfiguration(CreditsTableNames names) : IEntityTypeConfiguration<CreditSchemaVersion>
{
    public void Configure(EntityTypeBuilder<CreditSchemaVersion> builder)
    {
        names.Apply(builder, CreditsSchema.VersionTable);
        builder.HasKey(v => v.Version);
        builder.Property(v => v.Version).ValueGeneratedNever();
    }
}
