using System.Reflection;
using MediaForge.Credits.AspNetCore;
using Microsoft.AspNetCore.Routing;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the operators' dashboard: one HTML page with its script and styles, embedded in the add-on (no CDN).</summary>
public static class CreditsDashboardEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps <c>GET {pattern}</c> (the page), <c>{pattern}/dashboard.js</c> and <c>{pattern}/dashboard.css</c>, behind
    /// <see cref="CreditsHttpOptions.AdminPolicy"/>. The page draws usage over time by feature and model, revenue over
    /// time, checkout conversion, package popularity, top users and one user's ledger from the JSON endpoints of
    /// <see cref="CreditsAdminEndpointRouteBuilderExtensions.MapCreditsAdminEndpoints"/>, which must be mapped at
    /// <paramref name="apiPrefix"/>. Query string: <c>from</c>, <c>to</c> (ISO 8601) and <c>bucket</c>.
    /// </summary>
    /// <param name="endpoints">The application's endpoints.</param>
    /// <param name="pattern">Where the page is served. Default <c>/credits/admin</c>.</param>
    /// <param name="apiPrefix">Where the admin endpoints are mapped. Default <c>/api/credits/admin</c>.</param>
    /// <returns>The group, for further conventions.</returns>
    public static RouteGroupBuilder MapCreditsDashboard(this IEndpointRouteBuilder endpoints, string pattern = "/credits/admin", string apiPrefix = "/api/credits/admin")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentNullException.ThrowIfNull(apiPrefix);
        var basePath = pattern.TrimEnd('/');
        var html = Asset("dashboard.html")
            .Replace("{{BASE}}", System.Net.WebUtility.HtmlEncode(basePath), StringComparison.Ordinal)
            .Replace("{{API}}", System.Net.WebUtility.HtmlEncode(apiPrefix.TrimEnd('/')), StringComparison.Ordinal);
        var script = Asset("dashboard.js");
        var styles = Asset("dashboard.css");

        var group = endpoints.MapGroup(basePath.Length == 0 ? "/" : basePath).WithTags("Credits admin")
            .RequireAuthorization(CreditsHttpOptions.AdminPolicy).ExcludeFromDescription();
        group.MapGet("/", () => Page(html, "text/html; charset=utf-8")).WithName("CreditsDashboard");
        group.MapGet("/dashboard.js", () => Page(script, "text/javascript; charset=utf-8"));
        group.MapGet("/dashboard.css", () => Page(styles, "text/css; charset=utf-8"));
        return group;
    }

    private static ContentHttpResult Page(string content, string contentType) => TypedResults.Content(content, contentType);

    private static string Asset(string name)
    {
        using var stream = typeof(CreditsDashboardEndpointRouteBuilderExtensions).Assembly
            .GetManifestResourceStream("MediaForge.Credits.AspNetCore.Dashboard." + name)
            ?? throw new InvalidOperationException($"The dashboard asset '{name}' is not embedded in {Assembly.GetExecutingAssembly().GetName().Name}.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
