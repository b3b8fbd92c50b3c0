using MediaForge.Credits.Events;
using MediaForge.Credits.Storage.Schema;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace MediaForge.Credits.Storage.Configurations;

internal sealed class CreditEventConfiguration(CreditsTableNames names) : IEntityTypeConfiguration<CreditEventRow>
{
    public void Configure(EntityTypeBuilder<CreditEventRow> builder)
    {
        names.Apply(builder, CreditsSchemaVersion9.EventTable);
        builder.HasKey(e => e.Id);
        builder.Property(e => e.Id).ValueGeneratedNever();
        builder.Property(e => e.WalletId).HasMaxLength(CreditsModelLimits.UserId);
        builder.Property(e => e.Type).HasMaxLength(CreditsModelLimits.Name);
        builder.Property(e => e.LastError).HasMaxLength(CreditsModelLimits.Description);
        builder.HasIndex(e => new { e.DispatchedAt, e.NextAttemptAt });
        builder.HasIndex(e => new { e.WalletId, e.OccurredAt });
    }
}
