using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace MediaForge.Credits.Storage.Configurations;

internal sealed class CreditTransactionConfiguration(CreditsTableNames names) : IEntityTypeConfiguration<CreditTransaction>
{
    public void Configure(EntityTypeBuilder<CreditTransaction> builder)
    {
        names.Apply(builder, "credit_transactions");
        builder.HasKey(t => t.Id);
        builder.Property(t => t.Id).ValueGeneratedNever();
        builder.Property(t => t.UserId).HasMaxLength(CreditsModelLimits.UserId);
        builder.Property(t => t.Type).HasConversion<string>().HasMaxLength(CreditsModelLimits.EnumName);
        builder.Property(t => t.Description).HasMaxLength(CreditsModelLimits.Description);
        builder.Property(t => t.IdempotencyKey).HasMaxLength(CreditsModelLimits.IdempotencyKey);
        builder.Property(t => t.Reference).HasMaxLength(CreditsModelLimits.Reference);
        builder.HasOne<CreditUser>().WithMany().HasForeignKey(t => t.UserId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(t => new { t.UserId, t.IdempotencyKey }).IsUnique()
            // Partial: rows without a key (most deductions) cost no entry in this index; equality lookups by key use it.
            .HasFilter(CreditsModelLimits.HasIdempotencyKey);
        builder.HasIndex(t => new { t.UserId, t.CreatedAt });
        builder.HasIndex(t => t.CreatedAt);
        // Analytics over the rare row types without touching the usage rows: refunds in a range, and bonuses before a
        // time per user (covering: user and amount are in the entry). Partial, so usage charges (most rows, written
        // by every deduction) cost no entry; the queries repeat the filter so SQLite matches it.
        builder.HasIndex(t => new { t.Type, t.CreatedAt, t.UserId, t.Amount }).HasFilter(CreditsModelLimits.NotUsageCharge);
    }
}
