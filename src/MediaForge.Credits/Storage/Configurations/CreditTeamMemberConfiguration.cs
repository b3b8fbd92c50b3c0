using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace MediaForge.Credits.Storage.Configurations;

internal sealed class CreditTeamMemberConfiguration(CreditsTableNames names) : IEntityTypeConfiguration<CreditTeamMemberRow>
{
    public void Configure(EntityTypeBuilder<CreditTeamMemberRow> builder)
    {
        names.Apply(builder, "credit_team_members");
        builder.HasKey(m => new { m.TeamId, m.UserId });
        builder.Property(m => m.TeamId).HasMaxLength(CreditsModelLimits.TeamId);
        builder.Property(m => m.UserId).HasMaxLength(CreditsModelLimits.UserId);
        builder.Property(m => m.Role).HasConversion<string>().HasMaxLength(CreditsModelLimits.EnumName);
        builder.HasOne<CreditTeamRow>().WithMany().HasForeignKey(m => m.TeamId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<CreditUser>().WithMany().HasForeignKey(m => m.UserId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(m => m.UserId); // the teams of a user
    }
}
