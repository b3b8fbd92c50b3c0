using System.Security.Claims;

namespace MediaForge.Credits.AspNetCore.Endpoints;

/// <summary>Reads the credit user id from the authenticated principal (configured claim types, in order).</summary>
internal sealed class CreditUserAccessor(IOptions<CreditsHttpOptions> options)
{
    public string? GetUserId(ClaimsPrincipal principal)
    {
        if (principal.Identity?.IsAuthenticated != true)
        {
            return null;
        }

        foreach (var type in options.Value.UserIdClaimTypes)
        {
            if (principal.FindFirst(type)?.Value is { Length: > 0 } value && !string.IsNullOrWhiteSpace(value))
            {
                return value;
            }
        }

        return null;
    }
}
