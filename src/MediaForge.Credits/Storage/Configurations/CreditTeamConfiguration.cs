using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace MediaForge.Credits.Storage.Configurations;

internal sealed class CreditTeamConfiguration(CreditsTableNames names) : IEntityTypeConfiguration<CreditTeamRow>
{
    public void Configure(EntityTypeBuilder<CreditTeamRow> builder)
    {
        names.Apply(builder, "credit_teams");
        builder.HasKey(t => t.Id);
        builder.Property(t => t.Id).HasMaxLength(CreditsModelLimits.TeamId).ValueGeneratedNever();
        builder.Property(t => t.Name).HasMaxLength(CreditsModelLimits.TeamName);
        builder.Property(t => t.Status).HasConversion<string>().HasMaxLength(CreditsModelLimits.EnumName);
    }
}
