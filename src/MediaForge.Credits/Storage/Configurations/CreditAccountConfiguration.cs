using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace MediaForge.Credits.Storage.Configurations;

internal sealed class CreditAccountConfiguration(CreditsTableNames names) : IEntityTypeConfiguration<CreditAccount>
{
    public void Configure(EntityTypeBuilder<CreditAccount> builder)
    {
        names.Apply(builder, "credits");
        builder.HasKey(a => a.UserId);
        builder.Property(a => a.UserId).HasMaxLength(CreditsModelLimits.UserId);
        builder.HasOne<CreditUser>().WithOne().HasForeignKey<CreditAccount>(a => a.UserId).OnDelete(DeleteBehavior.Restrict);
    }
}
