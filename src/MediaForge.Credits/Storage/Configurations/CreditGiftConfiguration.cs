using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace MediaForge.Credits.Storage.Configurations;

internal sealed class CreditGiftConfiguration(CreditsTableNames names) : IEntityTypeConfiguration<CreditGiftRow>
{
    public void Configure(EntityTypeBuilder<CreditGiftRow> builder)
    {
        names.Apply(builder, "credit_gifts");
        builder.HasKey(g => g.Id);
        builder.Property(g => g.Id).ValueGeneratedNever();
        builder.Property(g => g.SenderId).HasMaxLength(CreditsModelLimits.UserId);
        builder.Property(g => g.RecipientId).HasMaxLength(CreditsModelLimits.UserId);
        builder.Property(g => g.CodeHash).HasMaxLength(CreditsModelLimits.CodeHash);
        builder.Property(g => g.Message).HasMaxLength(CreditsModelLimits.Description);
        builder.Property(g => g.IdempotencyKey).HasMaxLength(CreditsModelLimits.IdempotencyKey);
        builder.HasOne<CreditUser>().WithMany().HasForeignKey(g => g.SenderId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<CreditUser>().WithMany().HasForeignKey(g => g.RecipientId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(g => g.CodeHash).IsUnique(); // a redemption finds its gift by the code's hash
        builder.HasIndex(g => g.PurchaseId).IsUnique().HasFilter(CreditsModelLimits.HasPurchaseId); // one gift per bought pack
        builder.HasIndex(g => new { g.SenderId, g.IdempotencyKey }).IsUnique().HasFilter(CreditsModelLimits.HasIdempotencyKey);
        builder.HasIndex(g => new { g.Status, g.ExpiresAt }); // the expiry sweep
        builder.HasIndex(g => new { g.SenderId, g.CreatedAt }); // a sender's gifts
        builder.HasIndex(g => new { g.RecipientId, g.SettledAt }); // a recipient's gifts
    }
}
