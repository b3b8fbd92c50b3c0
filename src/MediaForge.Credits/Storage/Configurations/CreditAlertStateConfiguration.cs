using MediaForge.Credits.Events;
using MediaForge.Credits.Storage.Schema;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace MediaForge.Credits.Storage.Configurations;

internal sealed class CreditAlertStateConfiguration(CreditsTableNames names) : IEntityTypeConfiguration<CreditAlertState>
{
    public void Configure(EntityTypeBuilder<CreditAlertState> builder)
    {
        names.Apply(builder, CreditsSchemaVersion9.AlertTable);
        builder.HasKey(e => e.WalletId);
        builder.Property(e => e.WalletId).HasMaxLength(CreditsModelLimits.UserId).ValueGeneratedNever();
    }
}
