using System.Net.Http.Json;
using MediaForge.Credits.AspNetCore.Tests.Infrastructure;
using MediaForge.Credits.Ledger;
using MediaForge.Credits.Teams;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace MediaForge.Credits.AspNetCore.Tests.Events;

/// <summary><c>GET /api/credits/balance</c> and <c>GET /api/credits/teams/{id}/balance</c> flag a balance below <c>Events:LowBalanceThreshold</c>.</summary>
public abstract class LowBalanceEndpointTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>, IAsyncLifetime
    where TDatabase : CreditsDatabase
{
    private CreditsApp app = null!;

    public async Task InitializeAsync() => app = await CreditsApp.StartAsync(database, database.ConnectionString,
        s => s.Configure<CreditsOptions>(o =>
        {
            o.Events.LowBalanceThreshold = 20;
            o.Teams.Enabled = true;
        }));

    public async Task DisposeAsync() => await app.DisposeAsync();

    private async Task<CreditBalanceResponse?> BalanceWithAsync(long credits)
    {
        var user = "user_" + Guid.NewGuid().ToString("N");
        await app.WithServiceAsync<CreditTransactionResult, ICreditService>(c => c.AddCreditsAsync(user, credits, CreditTransactionType.Bonus, "test"));
        return await app.Client(user).GetFromJsonAsync<CreditBalanceResponse>("/api/credits/balance");
    }

    [Fact]
    public async Task Balance_BelowTheThreshold_IsFlaggedLow() => Assert.True((await BalanceWithAsync(19))!.IsLowBalance);

    [Fact]
    public async Task Balance_AtTheThreshold_IsNotLow() => Assert.False((await BalanceWithAsync(20))!.IsLowBalance);

    private async Task<CreditTeamBalanceResponse?> TeamBalanceWithAsync(long credits)
    {
        var (teamId, owner) = ("org_" + Guid.NewGuid().ToString("N"), "user_" + Guid.NewGuid().ToString("N"));
        Assert.True((await app.WithServiceAsync<CreditTeamResult, ICreditTeamService>(t => t.CreateTeamAsync(teamId, "Render crew", owner))).Success);
        await app.WithServiceAsync<CreditTransactionResult, ICreditService>(c => ((CreditService)c).GrantAsync(CreditWalletAccounts.TeamAccount(teamId), credits,
            CreditTransactionType.Bonus, "seed", null, null, null, CancellationToken.None));
        return await app.Client(owner).GetFromJsonAsync<CreditTeamBalanceResponse>($"/api/credits/teams/{teamId}/balance");
    }

    [Fact]
    public async Task TeamBalance_BelowTheThreshold_IsFlaggedLow() => Assert.True((await TeamBalanceWithAsync(19))!.IsLowBalance);

    [Fact]
    public async Task TeamBalance_AtTheThreshold_IsNotLow() => Assert.False((await TeamBalanceWithAsync(20))!.IsLowBalance);
}

public sealed class SqliteLowBalanceEndpointTests(SqliteCreditsDatabase database) : LowBalanceEndpointTests<SqliteCreditsDatabase>(database);

public sealed class PostgresLowBalanceEndpointTests(PostgresCreditsDatabase database) : LowBalanceEndpointTests<PostgresCreditsDatabase>(database);
