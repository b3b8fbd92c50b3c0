using System.Net;
using MediaForge.Credits.AspNetCore.Tests.Infrastructure;
using MediaForge.Credits.Storage;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace MediaForge.Credits.AspNetCore.Tests.Dashboard;

/// <summary>
/// The dashboard on a real Kestrel host over the known month of <see cref="AnalyticsDataSet"/>, driven by Debian's
/// Chromium through Playwright (never a downloaded browser). Without <c>/usr/bin/chromium</c> the browser test fails.
/// </summary>
public sealed class CreditsDashboardTests(SqliteCreditsDatabase database) : IClassFixture<SqliteCreditsDatabase>, IAsyncLifetime
{
    private const string ChromiumPath = "/usr/bin/chromium";
    private WebApplication app = null!;
    private string baseUrl = "";

    public async Task InitializeAsync()
    {
        // A database of its own per test: the data set is written whole each time.
        var connectionString = await database.CreateDatabaseAsync();
        var (seed, time) = AnalyticsDataSet.BuildServices(database, connectionString);
        await AnalyticsDataSet.SeedAsync(seed, time);

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["STRIPE_WEBHOOK_SECRET"] = CreditsApp.StripeWebhookSecret });
        builder.Services.AddDbContextPool<CreditsDbContext>(o => database.UseProvider(o, connectionString));
        builder.Services.AddMediaForgeCredits(builder.Configuration, o => AnalyticsDataSet.Configure(o)).UseEntityFrameworkCore<CreditsDbContext>();
        builder.Services.AddAuthentication(TestAuthHandler.SchemeName).AddScheme<AuthenticationSchemeOptions, TestAuthHandler>(TestAuthHandler.SchemeName, null);
        app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapCreditsAdminEndpoints();
        app.MapCreditsDashboard();
        await app.StartAsync();
        baseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
    }

    public async Task DisposeAsync() => await app.DisposeAsync();

    private static string ScreenshotPath()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "MediaForge.Credits.sln")))
        {
            dir = dir.Parent;
        }

        var folder = Path.Combine(dir?.FullName ?? AppContext.BaseDirectory, "artifacts", "screenshots");
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, "credits-dashboard.png");
    }

    [Fact]
    public async Task Dashboard_SignedInWithoutAdminRole_Returns403()
    {
        using var client = new HttpClient { BaseAddress = new Uri(baseUrl) };
        client.DefaultRequestHeaders.Add("X-Test-User", "someone");

        var response = await client.GetAsync("/credits/admin");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Dashboard_Anonymous_Returns401()
    {
        using var client = new HttpClient { BaseAddress = new Uri(baseUrl) };

        var response = await client.GetAsync("/credits/admin/dashboard.js");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Dashboard_AdminInChromium_RendersSeededMonthAndSavesScreenshot()
    {
        Assert.True(File.Exists(ChromiumPath), $"The browser test needs Debian's Chromium at {ChromiumPath} (apt-get install chromium).");
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 1400, Height = 1000 },
            ExtraHTTPHeaders = new Dictionary<string, string> { ["X-Test-User"] = "ops_admin", ["X-Test-Admin"] = "true" },
        });
        var page = await context.NewPageAsync();

        await page.GotoAsync($"{baseUrl}/credits/admin?from=2025-03-01T00:00:00Z&to=2025-04-01T00:00:00Z&bucket=week");
        await page.WaitForSelectorAsync("body[data-ready]");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = ScreenshotPath(), FullPage = true });

        Assert.Equal("true", await page.GetAttributeAsync("body", "data-ready"));
        Assert.Equal("92", await page.InnerTextAsync("[data-kpi='Credits consumed']"));
        Assert.Equal("42.9%", await page.InnerTextAsync("[data-kpi='Conversion']"));
        Assert.Equal(5, await page.Locator("#usage-chart svg rect").CountAsync());
        Assert.Contains("alice", await page.InnerTextAsync("#ledger"), StringComparison.Ordinal);
    }
}
