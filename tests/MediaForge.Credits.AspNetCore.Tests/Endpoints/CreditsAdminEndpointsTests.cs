using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MediaForge.Credits.AspNetCore.Tests.Infrastructure;
using MediaForge.Credits.Tests.Infrastructure;

namespace MediaForge.Credits.AspNetCore.Tests.Endpoints;

/// <summary>The admin endpoints over the known month of <see cref="AnalyticsDataSet"/> (written once per database).</summary>
public abstract class CreditsAdminEndpointsTests<TDatabase>(TDatabase database) : CreditsAppTests<TDatabase>(database), IAsyncLifetime
    where TDatabase : CreditsDatabase
{
    private const string March = "from=2025-03-01T00:00:00Z&to=2025-04-01T00:00:00Z";
    private static readonly ConcurrentDictionary<CreditsDatabase, Lazy<Task>> Seeded = new();
    private readonly CreditsDatabase fixture = database;

    async Task IAsyncLifetime.InitializeAsync()
    {
        await InitializeAsync();
        await Seeded.GetOrAdd(fixture, db => new Lazy<Task>(async () =>
        {
            var (services, time) = AnalyticsDataSet.BuildServices(db, db.ConnectionString);
            await AnalyticsDataSet.SeedAsync(services, time);
        })).Value;
    }

    private HttpClient Admin() => App.Client("admin_" + Guid.NewGuid().ToString("N"), admin: true);

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
    }

    [Fact]
    public async Task AdjustCredits_AsAdmin_AppliesTheCorrectionWithTheAdminAsActor()
    {
        var user = NewUser();
        var adminId = "admin_" + Guid.NewGuid().ToString("N");

        var response = await App.Client(adminId, admin: true).PostAsJsonAsync($"/api/credits/admin/users/{user}/adjustments", new { amount = 25, reason = "outage goodwill" });

        var result = await JsonAsync(response);
        Assert.Equal(25, result.GetProperty("balance").GetInt64());
        var row = (await App.WithServiceAsync<CreditPage<CreditLedgerEntry>, ICreditService>(c => c.GetTransactionsAsync(user))).Items.Single();
        Assert.Equal(CreditTransactionType.Adjustment, row.Type);
        Assert.Contains(adminId, row.Metadata, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AdjustCredits_RemovingMoreThanAvailable_Returns409AndWritesNothing()
    {
        var user = NewUser();

        var response = await Admin().PostAsJsonAsync($"/api/credits/admin/users/{user}/adjustments", new { amount = -5, reason = "mistake" });

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal(0, await App.BalanceAsync(user));
    }

    [Fact]
    public async Task AdjustCredits_SignedInWithoutAdminRole_Returns403()
    {
        var response = await App.Client(NewUser()).PostAsJsonAsync($"/api/credits/admin/users/{NewUser()}/adjustments", new { amount = 1000, reason = "free money" });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task GetUsageAnalytics_Anonymous_Returns401()
    {
        var response = await App.Client().GetAsync("/api/credits/admin/analytics/usage");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task GetUsageAnalytics_SignedInWithoutAdminRole_Returns403()
    {
        var response = await App.Client(NewUser()).GetAsync("/api/credits/admin/analytics/usage");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task ExportUsage_SignedInWithoutAdminRole_Returns403()
    {
        var response = await App.Client(NewUser()).GetAsync($"/api/credits/admin/export/usage.csv?{March}");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Reconciliation_SignedInWithoutAdminRole_Returns403()
    {
        var response = await App.Client(NewUser()).PostAsync("/api/credits/admin/reconciliation/repair", null);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task GetUsageAnalytics_Admin_ReturnsMonthTotals()
    {
        var json = await JsonAsync(await Admin().GetAsync($"/api/credits/admin/analytics/usage?{March}&bucket=week"));

        Assert.Equal((11, 92, 2), (json.GetProperty("uses").GetInt64(), json.GetProperty("creditsConsumed").GetInt64(), json.GetProperty("unlimitedUses").GetInt64()));
        Assert.Equal(5, json.GetProperty("series").GetArrayLength());
    }

    [Fact]
    public async Task GetUsageAnalytics_UnknownBucket_Returns400InvalidRange()
    {
        var response = await Admin().GetAsync($"/api/credits/admin/analytics/usage?{March}&bucket=fortnight");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_range", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString());
    }

    [Fact]
    public async Task GetPurchaseAnalytics_Admin_ReturnsFunnelAndRevenue()
    {
        var json = await JsonAsync(await Admin().GetAsync($"/api/credits/admin/analytics/purchases?{March}"));

        Assert.Equal((7, 3), (json.GetProperty("checkoutsStarted").GetInt64(), json.GetProperty("completed").GetInt64()));
        Assert.Equal(12998, json.GetProperty("revenue").EnumerateArray().Single(r => r.GetProperty("currency").GetString() == "usd").GetProperty("amountCents").GetInt64());
    }

    [Fact]
    public async Task GetTopUsers_Admin_ReturnsHeaviestUserFirst()
    {
        var json = await JsonAsync(await Admin().GetAsync($"/api/credits/admin/analytics/top-users?{March}&limit=1"));

        Assert.Equal("alice", json.EnumerateArray().Single().GetProperty("userId").GetString());
    }

    [Fact]
    public async Task GetConsumption_Admin_ReturnsFreeAndPaidCredits()
    {
        var json = await JsonAsync(await Admin().GetAsync($"/api/credits/admin/analytics/consumption?{March}"));

        Assert.Equal((70, 22), (json.GetProperty("freeCredits").GetInt64(), json.GetProperty("paidCredits").GetInt64()));
    }

    [Fact]
    public async Task GetUserTransactions_Admin_ReturnsThatUsersLedger()
    {
        var json = await JsonAsync(await Admin().GetAsync("/api/credits/admin/users/alice/transactions?pageSize=5"));

        // starter, Pro and six uses
        Assert.Equal(8, json.GetProperty("totalCount").GetInt64());
        Assert.Equal(5, json.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task ExportTransactions_Admin_StreamsOneCsvLinePerLedgerRow()
    {
        var response = await Admin().GetAsync($"/api/credits/admin/export/transactions.csv?{March}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        var lines = (await response.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("id,user_id,created_at,type,amount", lines[0], StringComparison.Ordinal);
        Assert.Equal(18, lines.Length - 1);
    }

    [Fact]
    public async Task ExportUsage_Admin_StreamsUsageWithoutPrompts()
    {
        var response = await Admin().GetAsync($"/api/credits/admin/export/usage.csv?{March}");

        var lines = (await response.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.DoesNotContain("prompt", lines[0], StringComparison.Ordinal);
        Assert.Equal(13, lines.Length - 1);
    }

    [Fact]
    public async Task Reconciliation_Admin_ReportsConsistentLedger()
    {
        var json = await JsonAsync(await Admin().GetAsync("/api/credits/admin/reconciliation"));

        Assert.True(json.GetProperty("isConsistent").GetBoolean());
    }
}

public sealed class SqliteCreditsAdminEndpointsTests(SqliteCreditsDatabase database) : CreditsAdminEndpointsTests<SqliteCreditsDatabase>(database);

public sealed class PostgresCreditsAdminEndpointsTests(PostgresCreditsDatabase database) : CreditsAdminEndpointsTests<PostgresCreditsDatabase>(database);
