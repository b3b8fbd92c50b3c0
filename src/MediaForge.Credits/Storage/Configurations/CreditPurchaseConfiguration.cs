using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace MediaForge.Credits.Storage.Configurations;

internal sealed class CreditPurchaseConfiguration(CreditsTableNames names) : IEntityTypeConfiguration<CreditPurchase>
{
    public void Configure(EntityTypeBuilder<CreditPurchase> builder)
    {
        names.Apply(builder, "purchases");
        builder.HasKey(p => p.Id);
        builder.Property(p => p.Id).ValueGeneratedNever();
        builder.Property(p => p.UserId).HasMaxLength(CreditsModelLimits.UserId);
        builder.Property(p => p.PackageId).HasMaxLength(CreditsModelLimits.Name);
        builder.Property(p => p.Currency).HasMaxLength(3);
        builder.Property(p => p.Status).HasConversion<string>().HasMaxLength(CreditsModelLimits.EnumName);
        builder.Property(p => p.Provider).HasMaxLength(CreditsModelLimits.EnumName);
        builder.Property(p => p.ProviderSessionId).HasMaxLength(CreditsModelLimits.Reference);
        builder.Property(p => p.ProviderPaymentId).HasMaxLength(CreditsModelLimits.Reference);
        builder.Property(p => p.FailureReason).HasMaxLength(CreditsModelLimits.Description);
        builder.Property(p => p.DisputeId).HasMaxLength(CreditsModelLimits.Reference);
        builder.Property(p => p.PurchasedBy).HasMaxLength(CreditsModelLimits.UserId);
        builder.Property(p => p.DisputeState).HasConversion<string>().HasMaxLength(CreditsModelLimits.EnumName);
        builder.HasOne<CreditUser>().WithMany().HasForeignKey(p => p.UserId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<CreditPackage>().WithMany().HasForeignKey(p => p.PackageId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(p => p.ProviderSessionId).IsUnique();
        builder.HasIndex(p => p.ProviderPaymentId); // refunds and disputes find their purchase by the payment
        builder.HasIndex(p => new { p.UserId, p.CreatedAt });
        builder.HasIndex(p => new { p.Status, p.CreatedAt });
        // Covering the purchase report's two reads (purchases are few next to usage, so the wide entries are cheap):
        // completed in a range (revenue, packages, series) and created in a range (funnel).
        builder.HasIndex(p => new { p.Status, p.CompletedAt, p.Provider, p.PackageId, p.Currency, p.Credits, p.AmountCents });
        builder.HasIndex(p => new { p.CreatedAt, p.Status, p.Provider, p.Currency, p.AmountCents });
    }
}
