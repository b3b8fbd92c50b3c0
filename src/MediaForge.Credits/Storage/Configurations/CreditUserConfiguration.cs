using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace MediaForge.Credits.Storage.Configurations;

internal sealed class CreditUserConfiguration(CreditsTableNames names) : IEntityTypeConfiguration<CreditUser>
{
    public void Configure(EntityTypeBuilder<CreditUser> builder)
    {
        names.Apply(builder, "users");
        builder.HasKey(u => u.Id);
        builder.Property(u => u.Id).HasMaxLength(CreditsModelLimits.UserId);
        builder.Property(u => u.Email).HasMaxLength(320);
        builder.Property(u => u.DisplayName).HasMaxLength(256);
    }
}
