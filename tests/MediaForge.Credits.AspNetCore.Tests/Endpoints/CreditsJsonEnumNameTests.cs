using System.Net;
using System.Net.Http.Json;
using MediaForge.Credits.AspNetCore.Tests.Infrastructure;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace MediaForge.Credits.AspNetCore.Tests.Endpoints;

/// <summary>Every endpoint family writes the library's enums by name (<c>"type":"Bonus"</c>), never as numbers.</summary>
public abstract class CreditsJsonEnumNameTests<TDatabase>(TDatabase database) : CreditsAppTests<TDatabase>(database)
    where TDatabase : CreditsDatabase
{
    private Task GrantBonusAsync(string userId) =>
        App.WithServiceAsync<CreditTransactionResult, ICreditService>(c => c.AddCreditsAsync(userId, 20, CreditTransactionType.Bonus, "welcome"));

    private static async Task<string> OkBodyAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    [Fact]
    public async Task Transactions_BonusGrant_WritesTypeByName()
    {
        var user = NewUser();
        await GrantBonusAsync(user);

        var json = await OkBodyAsync(await App.Client(user).GetAsync("/api/credits/transactions"));

        Assert.Contains("\"type\":\"Bonus\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Purchases_PendingCheckout_WritesStatusByName()
    {
        var user = NewUser();
        await App.StartCheckoutAsync(user);

        var json = await OkBodyAsync(await App.Client(user).GetAsync("/api/credits/purchases"));

        Assert.Contains("\"status\":\"Pending\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AdminUserTransactions_BonusGrant_WritesTypeByName()
    {
        var user = NewUser();
        await GrantBonusAsync(user);

        var json = await OkBodyAsync(await App.Client("admin_" + Guid.NewGuid().ToString("N"), admin: true)
            .GetAsync($"/api/credits/admin/users/{user}/transactions"));

        Assert.Contains("\"type\":\"Bonus\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AdminAdjustment_Applied_WritesErrorByName()
    {
        var json = await OkBodyAsync(await App.Client("admin_" + Guid.NewGuid().ToString("N"), admin: true)
            .PostAsJsonAsync($"/api/credits/admin/users/{NewUser()}/adjustments", new { amount = 5, reason = "goodwill" }));

        Assert.Contains("\"error\":\"None\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UsageAnalytics_WeekBucket_WritesBucketByName()
    {
        var json = await OkBodyAsync(await App.Client("admin_" + Guid.NewGuid().ToString("N"), admin: true)
            .GetAsync("/api/credits/admin/analytics/usage?from=2025-03-01T00:00:00Z&to=2025-04-01T00:00:00Z&bucket=week"));

        Assert.Contains("\"bucket\":\"Week\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HostEndpoint_HostsOwnEnum_KeepsTheHostsNumbers()
    {
        await using var app = await CreditsApp.StartAsync(Database, Database.ConnectionString,
            map: a => a.MapGet("/host/enum", () => TypedResults.Ok(new { day = DayOfWeek.Tuesday })));

        var json = await OkBodyAsync(await app.Client().GetAsync("/host/enum"));

        Assert.Equal("{\"day\":2}", json);
    }
}

public sealed class SqliteCreditsJsonEnumNameTests(SqliteCreditsDatabase database) : CreditsJsonEnumNameTests<SqliteCreditsDatabase>(database);

public sealed class PostgresCreditsJsonEnumNameTests(PostgresCreditsDatabase database) : CreditsJsonEnumNameTests<PostgresCreditsDatabase>(database);
