using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace MediaForge.Credits.Storage.Configurations;

internal sealed class UsageLogConfiguration(CreditsTableNames names) : IEntityTypeConfiguration<UsageLog>
{
    public void Configure(EntityTypeBuilder<UsageLog> builder)
    {
        names.Apply(builder, "usage_logs");
        builder.HasKey(u => u.Id);
        builder.Property(u => u.Id).ValueGeneratedNever();
        builder.Property(u => u.UserId).HasMaxLength(CreditsModelLimits.UserId);
        builder.Property(u => u.MemberId).HasMaxLength(CreditsModelLimits.UserId);
        builder.Property(u => u.Feature).HasMaxLength(CreditsModelLimits.Name);
        builder.Property(u => u.Model).HasMaxLength(CreditsModelLimits.Name);
        builder.Property(u => u.IdempotencyKey).HasMaxLength(CreditsModelLimits.IdempotencyKey);
        builder.HasOne<CreditUser>().WithMany().HasForeignKey(u => u.UserId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(u => new { u.UserId, u.IdempotencyKey }).IsUnique()
            // Partial: rows without a key (most deductions) cost no entry in this index; equality lookups by key use it.
            .HasFilter(CreditsModelLimits.HasIdempotencyKey);
        // A user's history (paging), and "the user's last charged use before t" for the running totals: the totals are
        // in the index, so range sums per user are two index-only seeks.
        builder.HasIndex(u => new { u.UserId, u.CreatedAt, u.CumulativeUses, u.CumulativeCredits });
        builder.HasIndex(u => new { u.CreatedAt, u.Feature, u.Model });
        // A member's uses of team wallets over time (the dashboard's spend per member); partial: own uses have no member.
        builder.HasIndex(u => new { u.MemberId, u.UserId, u.CreatedAt }).HasFilter(CreditsModelLimits.HasMemberId);
    }
}
