using System.Globalization;
using System.Net;
using System.Text.Json;
using MediaForge.Credits.Tests.Infrastructure;

namespace MediaForge.Credits.AspNetCore.Tests.Referrals;

/// <summary>The dashboard's referral funnel: <c>GET /api/credits/admin/analytics/referrals</c>.</summary>
public abstract class ReferralFunnelEndpointTests<TDatabase>(TDatabase database) : ReferralAppTests<TDatabase>(database)
    where TDatabase : CreditsDatabase
{
    private static string Today()
    {
        var now = DateTimeOffset.UtcNow;
        return "from=" + now.AddDays(-1).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)
            + "&to=" + now.AddDays(1).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
    }

    private async Task<JsonElement> FunnelAsync()
    {
        var response = await App.Client("admin_" + Guid.NewGuid().ToString("N"), admin: true).GetAsync("/api/credits/admin/analytics/referrals?" + Today());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
    }

    [Fact]
    public async Task GetReferralFunnel_AfterACodeIsCreated_CountsIt()
    {
        var before = (await FunnelAsync()).GetProperty("codesCreated").GetInt64();

        await CodeOfAsync(NewUser());

        var after = await FunnelAsync();
        Assert.True(after.GetProperty("codesCreated").GetInt64() >= before + 1);
        foreach (var step in new[] { "attached", "qualified", "rewarded", "clawedBack" })
        {
            Assert.True(after.GetProperty(step).GetInt64() >= 0, step);
        }
    }

    [Fact]
    public async Task GetReferralFunnel_NotAnAdmin_Is403()
    {
        var response = await App.Client(NewUser()).GetAsync("/api/credits/admin/analytics/referrals?" + Today());

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task GetReferralFunnel_RangeEndingBeforeItStarts_Is400()
    {
        var response = await App.Client("admin_x", admin: true).GetAsync("/api/credits/admin/analytics/referrals?from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }
}

public sealed class SqliteReferralFunnelEndpointTests(SqliteCreditsDatabase database) : ReferralFunnelEndpointTests<SqliteCreditsDatabase>(database);

public sealed class PostgresReferralFunnelEndpointTests(PostgresCreditsDatabase database) : ReferralFunnelEndpointTests<PostgresCreditsDatabase>(database);
