using Microsoft.Extensions.DependencyInjection;

namespace MediaForge.Credits.AspNetCore.Development;

/// <summary>Whether the test checkout is in use: it is when the add-on's Stripe client is the gateway's (no <c>STRIPE_SECRET_KEY</c>, no host client).</summary>
internal sealed class DevelopmentGatewayState(IServiceProvider services, DevelopmentStripeApi api)
{
    private readonly Lazy<bool> active = new(() => ReferenceEquals(services.GetService<global::Stripe.IStripeClient>(), api.Client));

    public bool IsActive => active.Value;
}
