using MediaForge.Credits.Entities;
using MediaForge.Credits.Teams;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace MediaForge.Credits.Tests.Teams;

/// <summary>
/// Teams and memberships mirrored from the identity provider's organization events (Clerk), by event version: the same
/// version applied again, a later delivery of the same state, a deletion before the creation, each converges without
/// moving what an earlier state set (the instant a member joined, was removed, the team was frozen) or touching other rows.
/// </summary>
public abstract class TeamMirrorTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 6, 1, 9, 0, 0, TimeSpan.Zero));

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    private TeamSetup Setup() => new(database, clock);

    private static Task<string> OrganizationAsync(TeamSetup setup, string teamId, long version) =>
        setup.With<string, CreditTeamMirror>(m => m.ApplyOrganizationAsync(teamId, "Render crew", version, CancellationToken.None));

    private static Task<string> FreezeAsync(TeamSetup setup, string teamId) =>
        setup.With<string, CreditTeamMirror>(m => m.FreezeAsync(teamId, CancellationToken.None));

    private static Task<string> MembershipAsync(TeamSetup setup, string teamId, string user, bool removed, long version,
        CreditTeamRole role = CreditTeamRole.Member) =>
        setup.With<string, CreditTeamMirror>(m => m.ApplyMembershipAsync(teamId, "Render crew", 1, user, role, removed, version, CancellationToken.None));

    /// <summary>The membership's row as stored: when the member joined, when removed (UTC), and the role.</summary>
    private static async Task<(DateTime Joined, DateTime? RemovedAt, CreditTeamRole Role)> MemberRowAsync(TeamSetup setup, string teamId, string user)
    {
        (DateTime, DateTime?, CreditTeamRole) member = default;
        await setup.WithContextAsync(async db =>
        {
            var row = await db.Set<CreditTeamMemberRow>().AsNoTracking().SingleAsync(m => m.TeamId == teamId && m.UserId == user);
            member = (DateTime.SpecifyKind(row.CreatedAt, DateTimeKind.Utc),
                row.RemovedAt is { } removedAt ? DateTime.SpecifyKind(removedAt, DateTimeKind.Utc) : null, row.Role);
        });
        return member;
    }

    [Fact]
    public async Task Freeze_UnknownTeam_StaysFrozenWhenItsCreationArrivesLate()
    {
        var (setup, teamId) = (Setup(), TeamSetup.NewTeamId());

        await FreezeAsync(setup, teamId);
        clock.Advance(TimeSpan.FromMinutes(1));
        await OrganizationAsync(setup, teamId, version: 1);

        var team = await setup.Teams(t => t.GetTeamAsync(teamId));
        Assert.Equal(CreditTeamStatus.Frozen, team!.Status);
    }

    [Fact]
    public async Task Freeze_DeliveredAgainLater_KeepsTheFirstFreezeInstant()
    {
        var (setup, teamId) = (Setup(), TeamSetup.NewTeamId());
        await OrganizationAsync(setup, teamId, version: 1);
        await FreezeAsync(setup, teamId);
        var frozenAt = clock.GetUtcNow();
        clock.Advance(TimeSpan.FromHours(1));

        await FreezeAsync(setup, teamId);

        Assert.Equal(frozenAt, (await setup.Teams(t => t.GetTeamAsync(teamId)))!.FrozenAt);
    }

    [Fact]
    public async Task ApplyOrganization_SameVersionAgain_IsAppliedAgainNotStale()
    {
        var (setup, teamId) = (Setup(), TeamSetup.NewTeamId());
        await OrganizationAsync(setup, teamId, version: 5);

        Assert.Equal("team_updated", await OrganizationAsync(setup, teamId, version: 5));
    }

    [Fact]
    public async Task ApplyOrganization_Unknown_OpensTheTeamsWalletAccountWithTheTeam()
    {
        var (setup, teamId) = (Setup(), TeamSetup.NewTeamId());

        await OrganizationAsync(setup, teamId, version: 1);

        var opened = false;
        var wallet = CreditWalletAccounts.TeamAccount(teamId);
        await setup.WithContextAsync(async db => opened = await db.Accounts.AnyAsync(a => a.UserId == wallet));
        Assert.True(opened);
    }

    [Fact]
    public async Task ApplyMembership_SameVersionAgain_IsAppliedAgainNotStale()
    {
        var (setup, teamId, user) = (Setup(), TeamSetup.NewTeamId(), TeamSetup.NewUser("mirrored"));
        await MembershipAsync(setup, teamId, user, removed: false, version: 4);

        Assert.Equal("member_updated", await MembershipAsync(setup, teamId, user, removed: false, version: 4));
    }

    [Fact]
    public async Task ApplyMembership_RemovalFromOneTeam_LeavesTheUsersOtherTeamAndTheTeamsOtherMembers()
    {
        var setup = Setup();
        var (teamId, otherTeamId) = (TeamSetup.NewTeamId(), TeamSetup.NewTeamId());
        var (user, colleague) = (TeamSetup.NewUser("mirrored"), TeamSetup.NewUser("colleague"));
        await MembershipAsync(setup, teamId, user, removed: false, version: 1);
        await MembershipAsync(setup, otherTeamId, user, removed: false, version: 1);
        await MembershipAsync(setup, teamId, colleague, removed: false, version: 1);

        await MembershipAsync(setup, teamId, user, removed: true, version: 2);

        Assert.Equal([(colleague, CreditTeamRole.Member)], await setup.RolesAsync(teamId));
        Assert.Equal([(user, CreditTeamRole.Member)], await setup.RolesAsync(otherTeamId));
    }

    [Fact]
    public async Task ApplyMembership_RoleChange_KeepsTheInstantTheMemberJoined()
    {
        var (setup, teamId, user) = (Setup(), TeamSetup.NewTeamId(), TeamSetup.NewUser("mirrored"));
        await MembershipAsync(setup, teamId, user, removed: false, version: 1);
        var joined = Now;
        clock.Advance(TimeSpan.FromDays(1));

        await MembershipAsync(setup, teamId, user, removed: false, version: 2, role: CreditTeamRole.Admin);

        Assert.Equal((joined, (DateTime?)null, CreditTeamRole.Admin), await MemberRowAsync(setup, teamId, user));
    }

    [Fact]
    public async Task ApplyMembership_RemovalDeliveredAgainWithANewerVersion_KeepsTheFirstRemovalInstant()
    {
        var (setup, teamId, user) = (Setup(), TeamSetup.NewTeamId(), TeamSetup.NewUser("mirrored"));
        await MembershipAsync(setup, teamId, user, removed: false, version: 1);
        clock.Advance(TimeSpan.FromDays(1));
        await MembershipAsync(setup, teamId, user, removed: true, version: 2);
        var removedAt = Now;
        clock.Advance(TimeSpan.FromDays(1));

        await MembershipAsync(setup, teamId, user, removed: true, version: 3);

        Assert.Equal(removedAt, (await MemberRowAsync(setup, teamId, user)).RemovedAt);
    }

    [Fact]
    public async Task ApplyMembership_ReAddedAfterRemoval_JoinsAtTheReAddition()
    {
        var (setup, teamId, user) = (Setup(), TeamSetup.NewTeamId(), TeamSetup.NewUser("mirrored"));

        Assert.Equal("member_added", await MembershipAsync(setup, teamId, user, removed: false, version: 1));
        clock.Advance(TimeSpan.FromDays(1));
        Assert.Equal("member_removed", await MembershipAsync(setup, teamId, user, removed: true, version: 2));
        clock.Advance(TimeSpan.FromDays(1));
        await MembershipAsync(setup, teamId, user, removed: false, version: 3);

        Assert.Equal((Now, (DateTime?)null, CreditTeamRole.Member), await MemberRowAsync(setup, teamId, user));
    }
}

public sealed class SqliteTeamMirrorTests(SqliteCreditsDatabase database) : TeamMirrorTests<SqliteCreditsDatabase>(database);

public sealed class PostgresTeamMirrorTests(PostgresCreditsDatabase database) : TeamMirrorTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbTeamMirrorTests(MariaDbCreditsDatabase database) : TeamMirrorTests<MariaDbCreditsDatabase>(database);
