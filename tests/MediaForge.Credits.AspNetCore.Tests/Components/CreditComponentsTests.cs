using System.Net;
using MediaForge.Credits.AspNetCore.Tests.Infrastructure;
using MediaForge.Credits.Tests.Infrastructure;

namespace MediaForge.Credits.AspNetCore.Tests.Components;

/// <summary><c>MapCreditComponents()</c>: the drop-in components' ES module.</summary>
public sealed class CreditComponentsTests(SqliteCreditsDatabase database) : IClassFixture<SqliteCreditsDatabase>, IAsyncLifetime
{
    private DevelopmentGatewayApp app = null!;

    public async Task InitializeAsync() => app = await DevelopmentGatewayApp.StartAsync(database, database.ConnectionString);

    public async Task DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task GetModule_Anonymous_ServesJavaScriptDefiningBothElements()
    {
        var response = await app.Client().GetAsync("/_mediaforge/credits.js");
        var script = await response.Content.ReadAsStringAsync();

        Assert.Equal("text/javascript", response.Content.Headers.ContentType!.MediaType);
        Assert.Contains("customElements.define(\"credit-display\"", script, StringComparison.Ordinal);
        Assert.Contains("customElements.define(\"credit-purchase\"", script, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetModule_MatchingETag_Returns304()
    {
        var first = await app.Client().GetAsync("/_mediaforge/credits.js");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/_mediaforge/credits.js");
        request.Headers.IfNoneMatch.Add(first.Headers.ETag!);

        var second = await app.Client().SendAsync(request);

        Assert.Equal(HttpStatusCode.NotModified, second.StatusCode);
    }
}
