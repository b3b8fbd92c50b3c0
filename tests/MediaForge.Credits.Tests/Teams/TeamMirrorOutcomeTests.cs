using MediaForge.Credits.Entities;
using MediaForge.Credits.Teams;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace MediaForge.Credits.Tests.Teams;

/// <summary>
/// What each organization or membership event mirrored from the identity provider (Clerk) answers and leaves in the
/// tables: a team created, renamed by a newer version or left alone by an older one; a membership added, updated,
/// removed (also when its first delivery is the removal) or left alone by an older version.
/// </summary>
public abstract class TeamMirrorOutcomeTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 6, 1, 9, 0, 0, TimeSpan.Zero));

    private TeamSetup Setup() => new(database, clock);

    private static Task<string> OrganizationAsync(TeamSetup setup, string teamId, string name, long version) =>
        setup.With<string, CreditTeamMirror>(m => m.ApplyOrganizationAsync(teamId, name, version, CancellationToken.None));

    private static Task<string> MembershipAsync(TeamSetup setup, string teamId, string user, bool removed, long version,
        CreditTeamRole role = CreditTeamRole.Member, string? teamName = null, long? teamVersion = null) =>
        setup.With<string, CreditTeamMirror>(m => m.ApplyMembershipAsync(teamId, teamName, teamVersion, user, role, removed, version, CancellationToken.None));

    private static async Task<(string Name, long? Version)> TeamRowAsync(TeamSetup setup, string teamId)
    {
        (string, long?) team = default;
        await setup.WithContextAsync(async db =>
        {
            var row = await db.Set<CreditTeamRow>().AsNoTracking().SingleAsync(t => t.Id == teamId);
            team = (row.Name, row.SourceVersion);
        });
        return team;
    }

    [Fact]
    public async Task ApplyOrganization_Unknown_CreatesTheTeam()
    {
        var (setup, teamId) = (Setup(), TeamSetup.NewTeamId());

        var outcome = await OrganizationAsync(setup, teamId, "Render crew", 1);

        Assert.Equal("team_created", outcome);
        Assert.Equal(("Render crew", (long?)1), await TeamRowAsync(setup, teamId));
    }

    [Fact]
    public async Task ApplyOrganization_NewerVersion_RenamesTheTeam()
    {
        var (setup, teamId) = (Setup(), TeamSetup.NewTeamId());
        await OrganizationAsync(setup, teamId, "Render crew", 1);

        var outcome = await OrganizationAsync(setup, teamId, "Edit crew", 2);

        Assert.Equal("team_updated", outcome);
        Assert.Equal(("Edit crew", (long?)2), await TeamRowAsync(setup, teamId));
    }

    [Fact]
    public async Task ApplyOrganization_OlderVersion_IsStaleAndKeepsTheName()
    {
        var (setup, teamId) = (Setup(), TeamSetup.NewTeamId());
        await OrganizationAsync(setup, teamId, "Edit crew", 2);

        var outcome = await OrganizationAsync(setup, teamId, "Render crew", 1);

        Assert.Equal("stale", outcome);
        Assert.Equal(("Edit crew", (long?)2), await TeamRowAsync(setup, teamId));
    }

    [Fact]
    public async Task Freeze_Team_AnswersTeamFrozen()
    {
        var (setup, teamId) = (Setup(), TeamSetup.NewTeamId());
        await OrganizationAsync(setup, teamId, "Render crew", 1);

        var outcome = await setup.With<string, CreditTeamMirror>(m => m.FreezeAsync(teamId, CancellationToken.None));

        Assert.Equal("team_frozen", outcome);
    }

    [Fact]
    public async Task ApplyMembership_BeforeItsOrganization_NamesTheTeamFromTheEventsOrganizationData()
    {
        var (setup, teamId, user) = (Setup(), TeamSetup.NewTeamId(), TeamSetup.NewUser("mirrored"));

        await MembershipAsync(setup, teamId, user, removed: false, version: 1, teamName: "Render crew", teamVersion: 3);

        Assert.Equal(("Render crew", (long?)3), await TeamRowAsync(setup, teamId));
    }

    [Fact]
    public async Task ApplyMembership_FirstDeliveryPresent_AddsAnActiveMember()
    {
        var (setup, teamId, user) = (Setup(), TeamSetup.NewTeamId(), TeamSetup.NewUser("mirrored"));

        var outcome = await MembershipAsync(setup, teamId, user, removed: false, version: 1, role: CreditTeamRole.Admin);

        Assert.Equal("member_added", outcome);
        Assert.Equal([(user, CreditTeamRole.Admin)], await setup.RolesAsync(teamId));
    }

    [Fact]
    public async Task ApplyMembership_FirstDeliveryIsTheRemoval_StoresTheMemberAsRemoved()
    {
        var (setup, teamId, user) = (Setup(), TeamSetup.NewTeamId(), TeamSetup.NewUser("mirrored"));

        var outcome = await MembershipAsync(setup, teamId, user, removed: true, version: 2);

        Assert.Equal("member_removed", outcome);
        Assert.Empty(await setup.RolesAsync(teamId));
        DateTime? removedAt = null;
        await setup.WithContextAsync(async db =>
            removedAt = (await db.Set<CreditTeamMemberRow>().AsNoTracking().SingleAsync(m => m.TeamId == teamId && m.UserId == user)).RemovedAt);
        Assert.Equal(clock.GetUtcNow().UtcDateTime, DateTime.SpecifyKind(removedAt!.Value, DateTimeKind.Utc));
    }

    [Fact]
    public async Task ApplyMembership_NewerVersionOfAPresentMember_UpdatesTheRole()
    {
        var (setup, teamId, user) = (Setup(), TeamSetup.NewTeamId(), TeamSetup.NewUser("mirrored"));
        await MembershipAsync(setup, teamId, user, removed: false, version: 1);

        var outcome = await MembershipAsync(setup, teamId, user, removed: false, version: 2, role: CreditTeamRole.Admin);

        Assert.Equal("member_updated", outcome);
        Assert.Equal([(user, CreditTeamRole.Admin)], await setup.RolesAsync(teamId));
    }

    [Fact]
    public async Task ApplyMembership_OlderVersion_IsStaleAndKeepsTheRole()
    {
        var (setup, teamId, user) = (Setup(), TeamSetup.NewTeamId(), TeamSetup.NewUser("mirrored"));
        await MembershipAsync(setup, teamId, user, removed: false, version: 2, role: CreditTeamRole.Admin);

        var outcome = await MembershipAsync(setup, teamId, user, removed: true, version: 1);

        Assert.Equal("stale", outcome);
        Assert.Equal([(user, CreditTeamRole.Admin)], await setup.RolesAsync(teamId));
    }
}

public sealed class SqliteTeamMirrorOutcomeTests(SqliteCreditsDatabase database) : TeamMirrorOutcomeTests<SqliteCreditsDatabase>(database);

public sealed class PostgresTeamMirrorOutcomeTests(PostgresCreditsDatabase database) : TeamMirrorOutcomeTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbTeamMirrorOutcomeTests(MariaDbCreditsDatabase database) : TeamMirrorOutcomeTests<MariaDbCreditsDatabase>(database);
