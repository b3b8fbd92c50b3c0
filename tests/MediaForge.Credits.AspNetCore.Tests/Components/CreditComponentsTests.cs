using System.Net;
using System.Text.RegularExpressions;
using MediaForge.Credits.AspNetCore.Tests.Infrastructure;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;

namespace MediaForge.Credits.AspNetCore.Tests.Components;

/// <summary><c>MapCreditComponents()</c>: the entry ES module and the one module per component it imports from beside it.</summary>
public sealed partial class CreditComponentsTests(SqliteCreditsDatabase database) : IClassFixture<SqliteCreditsDatabase>, IAsyncLifetime
{
    private DevelopmentGatewayApp app = null!;

    public async Task InitializeAsync() => app = await DevelopmentGatewayApp.StartAsync(database, database.ConnectionString);

    public async Task DisposeAsync() => await app.DisposeAsync();

    [Theory]
    [InlineData("credit-display")]
    [InlineData("credit-purchase")]
    [InlineData("credit-referral")]
    [InlineData("credit-gift")]
    public async Task GetComponentModule_Anonymous_ServesJavaScriptDefiningItsElement(string element)
    {
        var response = await app.Client().GetAsync($"/_mediaforge/{element}.js");
        var script = await response.Content.ReadAsStringAsync();

        Assert.Equal("text/javascript", response.Content.Headers.ContentType!.MediaType);
        Assert.Contains($"customElements.define(\"{element}\"", script, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetEntryModule_EveryModuleItImports_IsServedBesideIt()
    {
        var entry = await app.Client().GetStringAsync("/_mediaforge/credits.js");
        var imported = ImportPattern().Matches(entry).Select(m => m.Groups[1].Value).Distinct().ToList();

        Assert.Equal(["credits-core.js", "credit-display.js", "credit-purchase.js", "credit-referral.js", "credit-gift.js"], imported);
        var reached = new List<string>(imported);
        for (var i = 0; i < reached.Count; i++)
        {
            var response = await app.Client().GetAsync("/_mediaforge/" + reached[i]);
            Assert.True(response.StatusCode == HttpStatusCode.OK, reached[i]);
            reached.AddRange(ImportPattern().Matches(await response.Content.ReadAsStringAsync()).Select(m => m.Groups[1].Value).Where(m => !reached.Contains(m)).Distinct());
        }

        Assert.Equal([.. imported, "credit-auto-top-up.js"], reached); // <credit-purchase> loads its auto top-up section
    }

    [Fact]
    public async Task GetModule_MatchingETag_Returns304()
    {
        var first = await app.Client().GetAsync("/_mediaforge/credit-gift.js");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/_mediaforge/credit-gift.js");
        request.Headers.IfNoneMatch.Add(first.Headers.ETag!);

        var second = await app.Client().SendAsync(request);

        Assert.Equal(HttpStatusCode.NotModified, second.StatusCode);
    }

    [Fact]
    public async Task GetModules_EachHasItsOwnETag()
    {
        var entry = await app.Client().GetAsync("/_mediaforge/credits.js");
        var gift = await app.Client().GetAsync("/_mediaforge/credit-gift.js");

        Assert.NotEqual(entry.Headers.ETag, gift.Headers.ETag);
    }

    [Fact]
    public void MapCreditComponents_PatternNotEndingInCreditsJs_IsRefused()
    {
        var builder = WebApplication.CreateSlimBuilder();
        var host = builder.Build();

        Assert.Throws<ArgumentException>(() => host.MapCreditComponents("/static/components.js"));
    }

    [Fact]
    public void MapCreditComponents_CustomFolder_MapsEveryModuleInIt()
    {
        var builder = WebApplication.CreateSlimBuilder();
        var host = builder.Build();

        host.MapCreditComponents("/static/mf/credits.js");

        var patterns = ((IEndpointRouteBuilder)host).DataSources.SelectMany(s => s.Endpoints).OfType<RouteEndpoint>().Select(e => e.RoutePattern.RawText).ToList();
        Assert.Equal(["/static/mf/credits.js", "/static/mf/credits-core.js", "/static/mf/credit-display.js", "/static/mf/credit-purchase.js",
            "/static/mf/credit-referral.js", "/static/mf/credit-gift.js", "/static/mf/credit-auto-top-up.js"], patterns);
    }

    [GeneratedRegex("from \"\\./([a-z-]+\\.js)\"")]
    private static partial Regex ImportPattern();
}
