using MediaForge.Credits.AspNetCore.Tests.Infrastructure;
using MediaForge.Credits.Ledger;
using MediaForge.Credits.Entities;
using MediaForge.Credits.Teams;
using Microsoft.Extensions.DependencyInjection;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace MediaForge.Credits.AspNetCore.Tests.Teams;

/// <summary>A team as the tests meet it: its owner, an admin, a member and a signed-in user who is in no team.</summary>
public sealed record TeamCast(string TeamId, string Owner, string Admin, string Member, string Outsider)
{
    /// <summary>The user who plays <paramref name="role"/> (<c>outsider</c> for a non-member).</summary>
    public string Of(string role) => role switch
    {
        "owner" => Owner,
        "admin" => Admin,
        "member" => Member,
        _ => Outsider,
    };
}

/// <summary>Base of the team HTTP tests: the README's host with teams on, no sign-up package.</summary>
public abstract class TeamAppTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>, IAsyncLifetime
    where TDatabase : CreditsDatabase
{
    protected CreditsApp App { get; private set; } = null!;

    protected TDatabase Database => database;

    protected static string NewUser(string name) => $"user_{name}_{Guid.NewGuid():N}";

    public async Task InitializeAsync() => App = await CreditsApp.StartAsync(database, database.ConnectionString, services =>
    {
        services.Configure<CreditsOptions>(o => o.Teams.Enabled = true);
        services.Configure<CreditsClerkOptions>(o => o.SignUpPackageId = null);
    });

    public async Task DisposeAsync() => await App.DisposeAsync();

    protected Task<T> TeamsAsync<T>(Func<ICreditTeamService, Task<T>> action) => App.WithServiceAsync(action);

    /// <summary>A new team "Render crew" with an owner, an admin and a member, and a user outside it.</summary>
    protected async Task<TeamCast> TeamAsync()
    {
        var cast = new TeamCast("org_" + Guid.NewGuid().ToString("N"), NewUser("owner"), NewUser("admin"), NewUser("member"), NewUser("outsider"));
        Assert.True((await TeamsAsync(t => t.CreateTeamAsync(cast.TeamId, "Render crew", cast.Owner))).Success);
        Assert.True((await TeamsAsync(t => t.AddMemberAsync(cast.TeamId, cast.Owner, cast.Admin, CreditTeamRole.Admin))).Success);
        Assert.True((await TeamsAsync(t => t.AddMemberAsync(cast.TeamId, cast.Owner, cast.Member))).Success);
        return cast;
    }

    /// <summary>Grants <paramref name="credits"/> to the team's wallet (as a fulfilled purchase would).</summary>
    protected Task FundAsync(string teamId, long credits) =>
        App.WithServiceAsync<CreditTransactionResult, ICreditService>(c => ((CreditService)c).GrantAsync(CreditWalletAccounts.TeamAccount(teamId), credits,
            CreditTransactionType.Bonus, "seed", null, "seed:" + Guid.NewGuid().ToString("N"), null, CancellationToken.None));

    /// <summary>Freezes the team as Clerk's <c>organization.deleted</c> does.</summary>
    protected Task FreezeAsync(string teamId) => App.DbAsync(db => db.Set<CreditTeamRow>().Where(t => t.Id == teamId)
        .ExecuteUpdateAsync(s => s.SetProperty(t => t.Status, CreditTeamStatus.Frozen)));

    /// <summary>Sets a member's counter for the current period, as spending will (phase 2).</summary>
    protected Task SpendCounterAsync(string teamId, string userId, long spent, DateTime periodStart) => App.DbAsync(db => db.Set<CreditTeamMemberRow>()
        .Where(m => m.TeamId == teamId && m.UserId == userId)
        .ExecuteUpdateAsync(s => s.SetProperty(m => m.PeriodSpent, spent).SetProperty(m => m.PeriodStart, periodStart)));

    protected static DateTime ThisMonth()
    {
        var now = DateTime.UtcNow;
        return new DateTime(now.Year, now.Month, 1, 0, 0, 0, DateTimeKind.Utc);
    }
}
