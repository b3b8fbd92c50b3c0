using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace MediaForge.Credits.Storage.Configurations;

internal sealed class CreditSubscriptionConfiguration(CreditsTableNames names) : IEntityTypeConfiguration<CreditSubscriptionRow>
{
    public void Configure(EntityTypeBuilder<CreditSubscriptionRow> builder)
    {
        names.Apply(builder, "credit_subscriptions");
        builder.HasKey(s => s.Id);
        builder.Property(s => s.Id).HasMaxLength(CreditsModelLimits.Reference).ValueGeneratedNever();
        builder.Property(s => s.UserId).HasMaxLength(CreditsModelLimits.UserId);
        builder.Property(s => s.CustomerId).HasMaxLength(CreditsModelLimits.Reference);
        builder.Property(s => s.PlanId).HasMaxLength(CreditsModelLimits.Name);
        builder.Property(s => s.Status).HasConversion<string>().HasMaxLength(CreditsModelLimits.EnumName);
        builder.HasOne<CreditUser>().WithMany().HasForeignKey(s => s.UserId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(s => s.UserId); // the balance's current plan
    }
}
