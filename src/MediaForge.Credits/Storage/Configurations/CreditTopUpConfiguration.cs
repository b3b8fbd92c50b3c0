using MediaForge.Credits.Storage.Schema;
using MediaForge.Credits.TopUps;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace MediaForge.Credits.Storage.Configurations;

internal sealed class CreditTopUpConfiguration(CreditsTableNames names) : IEntityTypeConfiguration<CreditTopUpRow>
{
    public void Configure(EntityTypeBuilder<CreditTopUpRow> builder)
    {
        names.Apply(builder, CreditsSchemaVersion12.TopUpTable);
        builder.HasKey(t => t.Id);
        builder.Property(t => t.Id).ValueGeneratedNever();
        builder.Property(t => t.WalletId).HasMaxLength(CreditsModelLimits.UserId);
        builder.Property(t => t.PackageId).HasMaxLength(CreditsModelLimits.Name);
        builder.Property(t => t.Currency).HasMaxLength(3);
        builder.Property(t => t.CustomerId).HasMaxLength(CreditsModelLimits.Reference);
        builder.Property(t => t.PaymentMethodId).HasMaxLength(CreditsModelLimits.Reference);
        builder.Property(t => t.PaymentIntentId).HasMaxLength(CreditsModelLimits.Reference);
        builder.Property(t => t.LastError).HasMaxLength(CreditsModelLimits.Description);
        builder.Property(t => t.Status).HasConversion<string>().HasMaxLength(CreditsModelLimits.EnumName);
        builder.HasIndex(t => new { t.Status, t.NextAttemptAt }); // the worker's due top-ups
        builder.HasIndex(t => t.WalletId); // a wallet's top-ups
    }
}
