using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace MediaForge.Credits.Storage.Configurations;

internal sealed class CreditReservationConfiguration(CreditsTableNames names) : IEntityTypeConfiguration<CreditReservation>
{
    public void Configure(EntityTypeBuilder<CreditReservation> builder)
    {
        names.Apply(builder, "credit_reservations");
        builder.HasKey(r => r.Id);
        builder.Property(r => r.Id).ValueGeneratedNever();
        builder.Property(r => r.UserId).HasMaxLength(CreditsModelLimits.UserId);
        builder.Property(r => r.MemberId).HasMaxLength(CreditsModelLimits.UserId);
        builder.Property(r => r.Feature).HasMaxLength(CreditsModelLimits.Name);
        builder.Property(r => r.Model).HasMaxLength(CreditsModelLimits.Name);
        builder.Property(r => r.Status).HasConversion<string>().HasMaxLength(CreditsModelLimits.EnumName);
        builder.Property(r => r.IdempotencyKey).HasMaxLength(CreditsModelLimits.IdempotencyKey);
        builder.HasOne<CreditUser>().WithMany().HasForeignKey(r => r.UserId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(r => new { r.UserId, r.IdempotencyKey }).IsUnique()
            // Partial: rows without a key (most deductions) cost no entry in this index; equality lookups by key use it.
            .HasFilter(CreditsModelLimits.HasIdempotencyKey);
        builder.HasIndex(r => new { r.UserId, r.Status, r.ExpiresAt });
        builder.HasIndex(r => new { r.Status, r.ExpiresAt });
        // The sweeper's expired team holds whose member's count is not given back yet; partial: almost no hold is counted.
        builder.HasIndex(r => r.ExpiresAt).HasFilter(CreditsModelLimits.LimitCounted);
    }
}
