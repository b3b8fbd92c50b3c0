using MediaForge.Credits.AspNetCore.Components;
using Microsoft.AspNetCore.Routing;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Serves the drop-in web components (<c>&lt;credit-display&gt;</c>, <c>&lt;credit-purchase&gt;</c>, <c>&lt;credit-referral&gt;</c>, <c>&lt;credit-gift&gt;</c>).</summary>
public static class CreditComponentsEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps <c>GET</c> <paramref name="pattern"/> to the components' entry ES module, and the modules it imports (one per
    /// component, for example <c>credit-gift.js</c>) beside it in the same folder (anonymous, revalidated by ETag).
    /// Load it with <c>&lt;script type="module" src="/_mediaforge/credits.js"&gt;&lt;/script&gt;</c>.
    /// </summary>
    /// <param name="endpoints">The application's endpoints.</param>
    /// <param name="pattern">The entry module's URL; it ends with <c>/credits.js</c>. Default <c>/_mediaforge/credits.js</c>.</param>
    /// <returns>The endpoints of every module, for further conventions.</returns>
    public static RouteHandlerBuilder MapCreditComponents(this IEndpointRouteBuilder endpoints, string pattern = "/_mediaforge/credits.js")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrWhiteSpace(pattern);
        if (!pattern.EndsWith("/" + CreditComponentsModule.Entry, StringComparison.Ordinal))
        {
            throw new ArgumentException($"The pattern must end with /{CreditComponentsModule.Entry}: the modules it imports are served beside it.", nameof(pattern));
        }

        var folder = pattern[..^CreditComponentsModule.Entry.Length];
        var builders = CreditComponentsModule.Names.Select(name => (IEndpointConventionBuilder)endpoints
            .MapGet(folder + name, (HttpContext context) => CreditComponentsModule.Serve(context, name))
            .AllowAnonymous().ExcludeFromDescription()
            .WithName(name == CreditComponentsModule.Entry ? "CreditComponents" : "CreditComponents:" + name)).ToList();
        return new RouteHandlerBuilder(builders);
    }
}
