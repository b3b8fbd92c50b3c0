using MediaForge.Credits.Storage.Schema;
using MediaForge.Credits.TopUps;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace MediaForge.Credits.Storage.Configurations;

internal sealed class CreditAutoTopUpConfiguration(CreditsTableNames names) : IEntityTypeConfiguration<CreditAutoTopUpRow>
{
    public void Configure(EntityTypeBuilder<CreditAutoTopUpRow> builder)
    {
        names.Apply(builder, CreditsSchemaVersion12.SettingsTable);
        builder.HasKey(s => s.WalletId);
        builder.Property(s => s.WalletId).HasMaxLength(CreditsModelLimits.UserId).ValueGeneratedNever();
        builder.Property(s => s.PackageId).HasMaxLength(CreditsModelLimits.Name);
        builder.Property(s => s.Currency).HasMaxLength(3);
        builder.Property(s => s.CustomerId).HasMaxLength(CreditsModelLimits.Reference);
        builder.Property(s => s.PaymentMethodId).HasMaxLength(CreditsModelLimits.Reference);
    }
}
