using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace MediaForge.Credits.Storage.Configurations;

internal sealed class CreditGrantConfiguration(CreditsTableNames names) : IEntityTypeConfiguration<CreditGrant>
{
    public void Configure(EntityTypeBuilder<CreditGrant> builder)
    {
        names.Apply(builder, "credit_grants");
        builder.HasKey(g => g.Id);
        builder.Property(g => g.Id).ValueGeneratedNever();
        builder.Property(g => g.UserId).HasMaxLength(CreditsModelLimits.UserId);
        builder.HasOne<CreditUser>().WithMany().HasForeignKey(g => g.UserId).OnDelete(DeleteBehavior.Restrict);
        builder.Property(g => g.Category).HasMaxLength(CreditCategory.MaxNameLength);
        builder.HasIndex(g => new { g.UserId, g.ExpiresAt });
        builder.HasIndex(g => g.ExpiresAt);
        builder.HasIndex(g => g.TransactionId).IsUnique();
    }
}
