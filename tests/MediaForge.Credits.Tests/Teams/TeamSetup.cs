using MediaForge.Credits.Entities;
using MediaForge.Credits.Storage;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MediaForge.Credits.Tests.Teams;

/// <summary>Teams on one test database: services with teams on, a team with its owner, members, reads straight from the tables.</summary>
public sealed class TeamSetup(CreditsDatabase database, TimeProvider? time = null, Action<CreditsOptions>? configure = null)
{
    public ServiceProvider Services { get; } = database.BuildServices(database.ConnectionString, o =>
    {
        o.Teams.Enabled = true;
        configure?.Invoke(o);
    }, time);

    public CreditsDatabase Database => database;

    public static string NewUser(string name) => $"user_{name}_{Guid.NewGuid():N}";

    public static string NewTeamId() => "org_" + Guid.NewGuid().ToString("N");

    public async Task<T> With<T, TService>(Func<TService, Task<T>> action)
        where TService : notnull
    {
        await using var scope = Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<TService>());
    }

    public Task<T> Teams<T>(Func<ICreditTeamService, Task<T>> action) => With(action);

    public Task<T> Purchases<T>(Func<ICreditPurchaseService, Task<T>> action) => With(action);

    /// <summary>A new team and its owner.</summary>
    public async Task<(string TeamId, string Owner)> TeamAsync()
    {
        var (teamId, owner) = (NewTeamId(), NewUser("owner"));
        Assert.True((await Teams(t => t.CreateTeamAsync(teamId, "Render crew", owner))).Success);
        return (teamId, owner);
    }

    /// <summary>A new member of <paramref name="teamId"/>, added by <paramref name="owner"/>.</summary>
    public async Task<string> MemberAsync(string teamId, string owner, CreditTeamRole role = CreditTeamRole.Member)
    {
        var member = NewUser(role.ToString().ToLowerInvariant());
        Assert.Equal(CreditTeamError.None, (await Teams(t => t.AddMemberAsync(teamId, owner, member, role))).Error);
        return member;
    }

    /// <summary>Active members and their roles, read from the table (removed ones left out), ordered by user id.</summary>
    public async Task<List<(string UserId, CreditTeamRole Role)>> RolesAsync(string teamId)
    {
        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CreditsDbContext>();
        var rows = await db.Set<CreditTeamMemberRow>().AsNoTracking().Where(m => m.TeamId == teamId && m.RemovedAt == null)
            .OrderBy(m => m.UserId).Select(m => new { m.UserId, m.Role }).ToListAsync();
        return [.. rows.Select(r => (r.UserId, r.Role))];
    }

    public async Task WithContextAsync(Func<CreditsDbContext, Task> action)
    {
        await using var scope = Services.CreateAsyncScope();
        await action(scope.ServiceProvider.GetRequiredService<CreditsDbContext>());
    }
}
