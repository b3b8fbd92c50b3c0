using MediaForge.Credits.AspNetCore;
using MediaForge.Credits.AspNetCore.Development;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the development gateway's test checkout pages.</summary>
public static class CreditsDevelopmentEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the test checkout at <see cref="CreditsDevelopmentOptions.CheckoutPath"/> (default
    /// <c>/_mediaforge/checkout/{id}</c>, with <c>POST .../pay</c> and <c>POST .../cancel</c>; <c>POST .../off-session?decline=true</c>
    /// makes the saved card's off-session charges (auto top-up) declined, <c>false</c> paid again). They answer 404 while the
    /// gateway is off (real Stripe). Requires <c>AddCreditsDevelopmentGateway()</c>.
    /// </summary>
    /// <param name="endpoints">The application's endpoints.</param>
    /// <returns>The group, for further conventions.</returns>
    public static RouteGroupBuilder MapCreditsDevelopmentGateway(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var options = endpoints.ServiceProvider.GetService<IOptions<CreditsDevelopmentOptions>>()
            ?? throw new InvalidOperationException("Call builder.Services.AddCreditsDevelopmentGateway() before MapCreditsDevelopmentGateway().");
        var group = endpoints.MapGroup(options.Value.CheckoutPath).AllowAnonymous().ExcludeFromDescription();
        group.MapGet("/subscriptions", ([FromServices] DevelopmentSubscriptionEndpoints subscriptions) => subscriptions.List());
        group.MapPost("/subscriptions/{id}/renew", (string id, [FromServices] DevelopmentSubscriptionEndpoints subscriptions, CancellationToken ct) =>
            subscriptions.RenewAsync(id, ct));
        group.MapPost("/off-session", (bool decline, [FromServices] DevelopmentGatewayState state, [FromServices] DevelopmentOffSessionCharges cards) =>
        {
            if (!state.IsActive)
            {
                return Results.NotFound();
            }

            cards.Decline = decline;
            return Results.Json(new { decline });
        });
        group.MapGet("/{id}", (string id, [FromServices] DevelopmentCheckoutEndpoints checkout) => checkout.Show(id));
        group.MapPost("/{id}/pay", (string id, [FromServices] DevelopmentCheckoutEndpoints checkout, CancellationToken ct) =>
            checkout.PayAsync(id, ct));
        group.MapPost("/{id}/cancel", (string id, [FromServices] DevelopmentCheckoutEndpoints checkout) => checkout.Cancel(id));
        return group;
    }
}
