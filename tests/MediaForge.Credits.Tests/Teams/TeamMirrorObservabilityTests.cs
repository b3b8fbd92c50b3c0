using MediaForge.Credits.Teams;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace MediaForge.Credits.Tests.Teams;

/// <summary>What the mirror of the identity provider's organizations tells the host's logs: each event's team and outcome (event 1704).</summary>
public abstract class TeamMirrorObservabilityTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private readonly FakeLogCollector logs = new();

    private ServiceProvider? services;

    private ServiceProvider Services => services ??= database.BuildServices(database.ConnectionString, o => o.Teams.Enabled = true,
        configureServices: s => s.AddLogsTo(logs));

    private async Task<string> MirrorAsync(Func<CreditTeamMirror, Task<string>> apply)
    {
        await using var scope = Services.CreateAsyncScope();
        return await apply(scope.ServiceProvider.GetRequiredService<CreditTeamMirror>());
    }

    private string Logged() => Assert.Single(logs.GetSnapshot(), r => r.Id.Id == 1704).Message;

    [Fact]
    public async Task ApplyOrganization_LogsTheTeamAndTheOutcome()
    {
        var teamId = TeamSetup.NewTeamId();

        await MirrorAsync(m => m.ApplyOrganizationAsync(teamId, "Render crew", 1, CancellationToken.None));

        Assert.Equal($"Clerk organization {teamId} mirrored: team_created", Logged());
    }

    [Fact]
    public async Task Freeze_LogsTheTeamFrozen()
    {
        var teamId = TeamSetup.NewTeamId();

        await MirrorAsync(m => m.FreezeAsync(teamId, CancellationToken.None));

        Assert.Equal($"Clerk organization {teamId} mirrored: team_frozen", Logged());
    }

    [Fact]
    public async Task ApplyMembership_LogsTheOutcomeAndTheUser()
    {
        var (teamId, user) = (TeamSetup.NewTeamId(), TeamSetup.NewUser("mirrored"));

        await MirrorAsync(m => m.ApplyMembershipAsync(teamId, "Render crew", 1, user, CreditTeamRole.Member, false, 1, CancellationToken.None));

        Assert.Equal($"Clerk organization {teamId} mirrored: member_added {user}", Logged());
    }
}

public sealed class SqliteTeamMirrorObservabilityTests(SqliteCreditsDatabase database) : TeamMirrorObservabilityTests<SqliteCreditsDatabase>(database);

public sealed class PostgresTeamMirrorObservabilityTests(PostgresCreditsDatabase database) : TeamMirrorObservabilityTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbTeamMirrorObservabilityTests(MariaDbCreditsDatabase database) : TeamMirrorObservabilityTests<MariaDbCreditsDatabase>(database);
