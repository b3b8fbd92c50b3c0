using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Routing;

namespace MediaForge.Credits.AspNetCore.Endpoints;

/// <summary>The set-up the signed-in user's feature groups share (gifts, referrals).</summary>
internal static class CreditsFeatureGroup
{
    /// <summary>
    /// A group of JSON endpoints for signed-in users, tagged <paramref name="tag"/>, with the add-on's problem answers
    /// (401, the core's <see cref="ArgumentException"/> as a 400) and, while the feature is off
    /// (<paramref name="enabled"/> is false), <paramref name="disabled"/> (a 404) before any handler runs.
    /// </summary>
    public static RouteGroupBuilder MapCreditsFeatureGroup(this IEndpointRouteBuilder endpoints, string prefix, string tag,
        Func<CreditsOptions, bool> enabled, Func<ProblemHttpResult> disabled) =>
        endpoints.MapGroup(prefix).WithTags(tag).WithMetadata(CreditsJsonEndpoint.Marker).AddEndpointFilter(CreditsJsonEndpoint.Filter)
            .AddEndpointFilter(async (context, next) =>
                enabled(context.HttpContext.RequestServices.GetRequiredService<IOptions<CreditsOptions>>().Value) ? await next(context).ConfigureAwait(false) : disabled())
            .RequireAuthorization().ProducesCreditProblems(StatusCodes.Status401Unauthorized, StatusCodes.Status404NotFound);
}
