using Microsoft.Extensions.DependencyInjection;
using Stripe;

namespace MediaForge.Credits.AspNetCore.Stripe;

/// <summary>The host's <see cref="IStripeClient"/> if it registered one (tests point it at a fake Stripe), else one built from the secret key.</summary>
internal sealed class StripeClientAccessor(IServiceProvider services, IOptions<CreditsStripeOptions> options)
{
    private readonly Lazy<IStripeClient?> client = new(() =>
        services.GetService<IStripeClient>()
        ?? (string.IsNullOrWhiteSpace(options.Value.SecretKey) ? null : new StripeClient(options.Value.SecretKey)));

    /// <summary>The client, or <see langword="null"/> when Stripe is not configured.</summary>
    public IStripeClient? Client => client.Value;
}
