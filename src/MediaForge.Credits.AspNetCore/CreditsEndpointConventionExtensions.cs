using MediaForge.Credits;
using MediaForge.Credits.AspNetCore.Internal;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Charges credits for a minimal-API endpoint.</summary>
public static class CreditsEndpointConventionExtensions
{
    /// <summary>
    /// Makes the endpoint cost one use of <paramref name="feature"/> with <paramref name="model"/>: before the handler
    /// runs, the price is reserved for the signed-in user (402 problem details <c>insufficient_credits</c> when they
    /// cannot pay); a successful response (status below 400) captures the hold; an error response, an exception or a
    /// cancellation releases it.
    /// </summary>
    /// <typeparam name="TBuilder">The endpoint builder type.</typeparam>
    /// <param name="builder">The endpoint.</param>
    /// <param name="feature">The feature, as priced in <c>feature_pricing</c>.</param>
    /// <param name="model">The model, as priced in <c>feature_pricing</c>.</param>
    /// <returns>The same builder.</returns>
    public static TBuilder RequireCredits<TBuilder>(this TBuilder builder, string feature, string model)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(feature);
        ArgumentException.ThrowIfNullOrWhiteSpace(model);
        builder.RequireAuthorization();
        builder.AddEndpointFilter(async (context, next) =>
        {
            var services = context.HttpContext.RequestServices;
            if (services.GetRequiredService<CreditUserAccessor>().GetUserId(context.HttpContext.User) is not { } userId)
            {
                return CreditProblems.NoUserId();
            }

            var reservations = services.GetRequiredService<ICreditReservationService>();
            await using var hold = await reservations.ReserveAsync(userId, feature, model, cancellationToken: context.HttpContext.RequestAborted).ConfigureAwait(false);
            if (!hold.IsHeld)
            {
                return CreditProblems.Create(StatusCodes.Status402PaymentRequired, "insufficient_credits", "Insufficient credits.",
                    $"{feature} with {model} costs more than the {hold.Result.Available} credits available.");
            }

            var result = await next(context).ConfigureAwait(false);
            var status = result is IStatusCodeHttpResult { StatusCode: { } code } ? code : context.HttpContext.Response.StatusCode;
            if (status < 400)
            {
                await hold.CaptureAsync(cancellationToken: CancellationToken.None).ConfigureAwait(false);
            }

            return result;
        });
        return builder;
    }
}
