using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace MediaForge.Credits.Storage.Configurations;

internal sealed class CreditReferralCodeConfiguration(CreditsTableNames names) : IEntityTypeConfiguration<CreditReferralCode>
{
    public void Configure(EntityTypeBuilder<CreditReferralCode> builder)
    {
        names.Apply(builder, "credit_referral_codes");
        builder.HasKey(c => c.UserId);
        builder.Property(c => c.UserId).HasMaxLength(CreditsModelLimits.UserId);
        builder.Property(c => c.Code).HasMaxLength(CreditsModelLimits.ReferralCode);
        builder.HasOne<CreditUser>().WithMany().HasForeignKey(c => c.UserId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(c => c.Code).IsUnique();
        builder.HasIndex(c => c.CreatedAt); // the dashboard's funnel: codes made in a range
    }
}
