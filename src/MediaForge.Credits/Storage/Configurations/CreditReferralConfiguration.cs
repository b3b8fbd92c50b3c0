using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace MediaForge.Credits.Storage.Configurations;

internal sealed class CreditReferralConfiguration(CreditsTableNames names) : IEntityTypeConfiguration<CreditReferral>
{
    public void Configure(EntityTypeBuilder<CreditReferral> builder)
    {
        names.Apply(builder, "credit_referrals");
        builder.HasKey(r => r.Id);
        builder.Property(r => r.Id).ValueGeneratedNever();
        builder.Property(r => r.RefereeId).HasMaxLength(CreditsModelLimits.UserId);
        builder.Property(r => r.ReferrerId).HasMaxLength(CreditsModelLimits.UserId);
        builder.Property(r => r.Code).HasMaxLength(CreditsModelLimits.ReferralCode);
        builder.Property(r => r.RefereeEmailHash).HasMaxLength(CreditsModelLimits.EmailHash);
        builder.Property(r => r.Status).HasConversion<string>().HasMaxLength(CreditsModelLimits.EnumName);
        builder.Property(r => r.QualifyingReference).HasMaxLength(CreditsModelLimits.Reference);
        builder.HasOne<CreditUser>().WithMany().HasForeignKey(r => r.RefereeId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<CreditUser>().WithMany().HasForeignKey(r => r.ReferrerId).OnDelete(DeleteBehavior.Restrict);
        // The guards: one referrer per referee, and per normalized e-mail, for good.
        builder.HasIndex(r => r.RefereeId).IsUnique();
        builder.HasIndex(r => r.RefereeEmailHash).IsUnique();
        // The monthly caps (attached and rewarded per referrer in a month) and the summary of a referrer.
        builder.HasIndex(r => new { r.ReferrerId, r.AttachedAt });
        builder.HasIndex(r => new { r.ReferrerId, r.RewardedAt });
        builder.HasIndex(r => r.QualifyingPurchaseId); // a refund finds the reward of its purchase
        builder.HasIndex(r => r.AttachedAt); // the dashboard's funnel
    }
}
