using MediaForge.Credits.Events;
using MediaForge.Credits.Storage.Schema;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace MediaForge.Credits.Storage.Configurations;

internal sealed class CreditWebhookDeliveryConfiguration(CreditsTableNames names) : IEntityTypeConfiguration<CreditWebhookDelivery>
{
    public void Configure(EntityTypeBuilder<CreditWebhookDelivery> builder)
    {
        names.Apply(builder, CreditsSchemaVersion9.WebhookTable);
        builder.HasKey(e => new { e.EventId, e.Endpoint });
        builder.Property(e => e.Endpoint).HasMaxLength(CreditsModelLimits.Name);
        builder.Property(e => e.LastError).HasMaxLength(CreditsModelLimits.Description);
    }
}
