using System.Net;
using System.Net.Http.Json;
using System.Text;
using MediaForge.Credits.AspNetCore.Tests.Infrastructure;
using MediaForge.Credits.Tests.Infrastructure;

namespace MediaForge.Credits.AspNetCore.Tests.TopUps;

/// <summary><c>GET</c>/<c>PUT /api/credits/auto-top-up</c>: bounded input, 400 problems for bad values, team rights.</summary>
public abstract class AutoTopUpEndpointTests<TDatabase>(TDatabase database) : AutoTopUpAppTests<TDatabase>(database)
    where TDatabase : CreditsDatabase
{
    private static object Body(long threshold = 10, string? packageId = "pro", int maxTopUpsPerMonth = 3, long maxAmountPerMonthCents = 10_000,
        string? teamId = null, bool enabled = true) =>
        new { enabled, threshold, packageId, maxTopUpsPerMonth, maxAmountPerMonthCents, teamId };

    [Fact]
    public async Task Get_NeverSaved_AnswersOffWithoutACard()
    {
        var settings = await SettingsAsync(NewUser());

        Assert.Equal((false, 0L, (string?)null, false, false), (settings.Enabled, settings.Threshold, settings.PackageId, settings.HasPaymentMethod, settings.Paused));
    }

    [Fact]
    public async Task Put_ValidSettings_SavesThemWithThePacksCreditsAndPrice()
    {
        var user = NewUser();

        var response = await PutAsync(user, Body(threshold: 25, maxTopUpsPerMonth: 4, maxAmountPerMonthCents: 12_000));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var saved = await SettingsAsync(user);
        Assert.Equal((true, 25L, "pro", PackCredits, PackPrice, "usd", 4, 12_000L),
            (saved.Enabled, saved.Threshold, saved.PackageId, saved.Credits, saved.PriceCents, saved.Currency, saved.MaxTopUpsPerMonth, saved.MaxAmountPerMonthCents));
    }

    public static TheoryData<long, string?, int, long, string> BadValues => new()
    {
        { 0, "pro", 3, 10_000, "invalid_threshold" },
        { -5, "pro", 3, 10_000, "invalid_threshold" },
        { 1_000_000_001, "pro", 3, 10_000, "invalid_threshold" },
        { 10, null, 3, 10_000, "invalid_package_id" },
        { 10, " ", 3, 10_000, "invalid_package_id" },
        { 10, new string('p', 65), 3, 10_000, "invalid_package_id" },
        { 10, "no_such_pack", 3, 10_000, "unknown_package" },
        { 10, "starter", 3, 10_000, "unknown_package" }, // free: nothing to charge
        { 10, "pro", 0, 10_000, "invalid_monthly_count" },
        { 10, "pro", 101, 10_000, "invalid_monthly_count" },
        { 10, "pro", 3, 0, "invalid_monthly_amount" },
        { 10, "pro", 3, 100_000_001, "invalid_monthly_amount" },
        { 10, "pro", 3, PackPrice - 1, "monthly_amount_below_price" },
    };

    [Theory]
    [MemberData(nameof(BadValues))]
    public async Task Put_BadValue_IsA400ProblemAndSavesNothing(long threshold, string? packageId, int count, long amount, string code)
    {
        var user = NewUser();

        var response = await PutAsync(user, Body(threshold, packageId, count, amount));

        var (status, answered, _) = await ProblemAnswer.ReadAsync(response);
        Assert.Equal((400, code), (status, answered));
        Assert.False((await SettingsAsync(user)).Enabled);
    }

    [Theory]
    [InlineData("{", "application/json", 400)]
    [InlineData("{\"enabled\":true}", "text/plain", 415)]
    [InlineData("{\"enabled\":\"yes\",\"threshold\":10}", "application/json", 400)]
    public async Task Put_MalformedBody_IsA4xxProblem(string json, string mediaType, int status)
    {
        var response = await App.Client(NewUser()).PutAsync("/api/credits/auto-top-up", new StringContent(json, Encoding.UTF8, mediaType));

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Get_Anonymous_Is401()
    {
        var response = await App.Client().GetAsync("/api/credits/auto-top-up");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Put_AfterAPause_ResumesAndClearsTheFailures()
    {
        var user = await EnabledUserAsync();
        await DeductAsync(user);
        App.Stripe.PaymentIntentOutcome = "generic_decline";
        for (var round = 0; round < 3; round++)
        {
            await Task.Delay(5);
            await ChargeAsync();
        }

        Assert.True((await SettingsAsync(user)).Paused);

        (await PutAsync(user, Body())).EnsureSuccessStatusCode();

        var resumed = await SettingsAsync(user);
        Assert.Equal((false, 0, true), (resumed.Paused, resumed.ConsecutiveFailures, resumed.HasPaymentMethod));
    }

    [Fact]
    public async Task Team_OwnerAndAdmin_SaveTheTeamsSettings_AMemberGets403_AStrangerTheUnknownTeam404()
    {
        var (team, owner, admin, member) = ("team_" + Guid.NewGuid().ToString("N")[..12], NewUser(), NewUser(), NewUser());
        await App.WithServiceAsync<object?, ICreditTeamService>(async t =>
        {
            Assert.True((await t.CreateTeamAsync(team, "Render crew", owner)).Success);
            Assert.True((await t.AddMemberAsync(team, owner, admin, CreditTeamRole.Admin)).Success);
            Assert.True((await t.AddMemberAsync(team, owner, member)).Success);
            return null;
        });

        Assert.Equal(HttpStatusCode.OK, (await PutAsync(owner, Body(threshold: 40, teamId: team))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await PutAsync(admin, Body(threshold: 50, teamId: team))).StatusCode);
        var (status, code, _) = await ProblemAnswer.ReadAsync(await PutAsync(member, Body(teamId: team)));
        Assert.Equal((403, "team_role_not_allowed"), (status, code));
        Assert.Equal(404, (await ProblemAnswer.ReadAsync(await PutAsync(NewUser(), Body(teamId: team)))).Status);
        Assert.Equal(404, (int)(await App.Client(member).GetAsync($"/api/credits/auto-top-up?teamId={new string('t', 300)}")).StatusCode);

        var saved = await SettingsAsync(owner, team);
        Assert.Equal((50L, team), (saved.Threshold, saved.TeamId));
        Assert.False((await SettingsAsync(owner)).Enabled); // the owner's own wallet is another one
    }
}

public sealed class SqliteAutoTopUpEndpointTests(SqliteCreditsDatabase database) : AutoTopUpEndpointTests<SqliteCreditsDatabase>(database);

public sealed class PostgresAutoTopUpEndpointTests(PostgresCreditsDatabase database) : AutoTopUpEndpointTests<PostgresCreditsDatabase>(database);
