using MediaForge.Credits.AspNetCore.Components;
using Microsoft.AspNetCore.Routing;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Serves the drop-in web components (<c>&lt;credit-display&gt;</c>, <c>&lt;credit-purchase&gt;</c>).</summary>
public static class CreditComponentsEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps <c>GET</c> <paramref name="pattern"/> to the components' ES module (anonymous, revalidated by ETag). Load it
    /// with <c>&lt;script type="module" src="/_mediaforge/credits.js"&gt;&lt;/script&gt;</c>.
    /// </summary>
    /// <param name="endpoints">The application's endpoints.</param>
    /// <param name="pattern">The module's URL. Default <c>/_mediaforge/credits.js</c>.</param>
    /// <returns>The endpoint.</returns>
    public static RouteHandlerBuilder MapCreditComponents(this IEndpointRouteBuilder endpoints, string pattern = "/_mediaforge/credits.js")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        return endpoints.MapGet(pattern, (HttpContext context) => CreditComponentsModule.Serve(context))
            .AllowAnonymous().ExcludeFromDescription().WithName("CreditComponents");
    }
}
