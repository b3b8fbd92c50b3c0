using System.Security.Claims;
using MediaForge.Credits.AspNetCore;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.AspNetCore.Http;

/// <summary>
/// The credit user id of a signed-in user, read exactly as the add-on's endpoints read it: the first non-blank claim
/// of <see cref="CreditsHttpOptions.UserIdClaimTypes"/> (default <c>sub</c>, then <see cref="ClaimTypes.NameIdentifier"/>)
/// of an authenticated principal. Use it in your own handlers to pass the same id to <c>ICreditService</c> and
/// <c>ICreditReservationService</c>.
/// </summary>
public static class CreditsUserIdExtensions
{
    /// <summary>
    /// The signed-in user's credit id with the claim types configured for the add-on
    /// (<c>MediaForge:Credits:Http:UserIdClaimTypes</c>), or <see langword="null"/> when the request is anonymous or
    /// carries none of those claims (answer 401 then).
    /// </summary>
    /// <param name="context">The request.</param>
    /// <returns>The user id, or <see langword="null"/>.</returns>
    public static string? GetCreditsUserId(this HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.User.GetCreditsUserId(context.RequestServices.GetService<IOptions<CreditsHttpOptions>>()?.Value);
    }

    /// <summary>
    /// The principal's credit id: the first non-blank claim of <paramref name="options"/>' <see cref="CreditsHttpOptions.UserIdClaimTypes"/>
    /// (without options, the defaults <c>sub</c> then <see cref="ClaimTypes.NameIdentifier"/>), or <see langword="null"/>
    /// when the principal is not authenticated or has none. Inside a request, prefer
    /// <see cref="GetCreditsUserId(HttpContext)"/>, which uses the configured claim types.
    /// </summary>
    /// <param name="principal">The user.</param>
    /// <param name="options">The add-on's HTTP options; <see langword="null"/> for the defaults.</param>
    /// <returns>The user id, or <see langword="null"/>.</returns>
    public static string? GetCreditsUserId(this ClaimsPrincipal principal, CreditsHttpOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(principal);
        if (principal.Identity?.IsAuthenticated != true)
        {
            return null;
        }

        foreach (var type in (options ?? Defaults).UserIdClaimTypes)
        {
            if (principal.FindFirst(type)?.Value is { } value && !string.IsNullOrWhiteSpace(value))
            {
                return value;
            }
        }

        return null;
    }

    private static readonly CreditsHttpOptions Defaults = new();
}
