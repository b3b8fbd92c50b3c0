using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace MediaForge.Credits.AspNetCore.Endpoints;

/// <summary>
/// Marks the add-on's JSON endpoints, and gives them problem-details answers for what happens around the handler:
/// 401 and 403 from authorization (<see cref="AuthorizationResultHandler"/>) and an <see cref="ArgumentException"/>
/// from the core (a 400, see <see cref="Filter"/>).
/// </summary>
internal sealed class CreditsJsonEndpoint
{
    public static readonly CreditsJsonEndpoint Marker = new();

    private CreditsJsonEndpoint()
    {
    }

    /// <summary>An <see cref="ArgumentException"/> from the core means the request carried a value it refuses: 400, nothing done.</summary>
    public static async ValueTask<object?> Filter(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context).ConfigureAwait(false);
        }
        catch (UnknownFeaturePricingException error)
        {
            return CreditProblems.UnknownFeature(error);
        }
        catch (CreditUserIdRefusedException error)
        {
            return CreditProblems.InvalidUserId(error);
        }
        catch (ArgumentException error)
        {
            return CreditProblems.Create(StatusCodes.Status400BadRequest, "invalid_argument", "A value in the request is not accepted.", error.Message);
        }
    }

    /// <summary>
    /// The default authorization answers (a challenge or forbid of the authentication scheme), followed on the add-on's
    /// JSON endpoints by a problem body when the scheme wrote none (a redirect is left alone).
    /// </summary>
    internal sealed class AuthorizationResultHandler : IAuthorizationMiddlewareResultHandler
    {
        private readonly AuthorizationMiddlewareResultHandler inner = new();

        public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
        {
            await inner.HandleAsync(next, context, policy, authorizeResult).ConfigureAwait(false);
            if ((authorizeResult.Challenged || authorizeResult.Forbidden) && !context.Response.HasStarted
                && context.GetEndpoint()?.Metadata.GetMetadata<CreditsJsonEndpoint>() is not null
                && Problem(context.Response.StatusCode) is { } problem)
            {
                await problem.ExecuteAsync(context).ConfigureAwait(false);
            }
        }

        private static ProblemHttpResult? Problem(int status) => status switch
        {
            StatusCodes.Status401Unauthorized => CreditProblems.Create(status, "unauthenticated", "Sign in first.",
                "This endpoint needs a signed-in user."),
            StatusCodes.Status403Forbidden => CreditProblems.Create(status, "forbidden", "Not allowed.",
                "The signed-in user may not use this endpoint."),
            _ => null,
        };
    }
}
