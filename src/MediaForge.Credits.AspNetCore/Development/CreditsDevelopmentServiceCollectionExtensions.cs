using System.Security.Cryptography;
using MediaForge.Credits.AspNetCore;
using MediaForge.Credits.AspNetCore.Development;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Stripe;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the development gateway: offline stand-ins for Stripe Checkout and Clerk's sign-up webhook.</summary>
public static class CreditsDevelopmentServiceCollectionExtensions
{
    /// <summary>
    /// Adds the development gateway (opt-in, for local development and demos). When no <c>STRIPE_SECRET_KEY</c> is set
    /// and the host registers no <see cref="IStripeClient"/>, the add-on's Stripe calls are answered in-process and
    /// checkout happens on a local test page (map it with <c>MapCreditsDevelopmentGateway()</c>) whose Pay button sends a
    /// signed <c>checkout.session.completed</c> through the real Stripe webhook endpoint. With a secret key, real Stripe
    /// is used and the gateway stays off. It also registers <see cref="IClerkDevelopmentWebhook"/> for development
    /// sign-ins. Missing webhook secrets (<c>STRIPE_WEBHOOK_SECRET</c>, <c>CLERK_WEBHOOK_SECRET</c>) are generated for the
    /// process. Start-up fails outside the Development environment unless
    /// <see cref="CreditsDevelopmentOptions.AllowOutsideDevelopment"/> is set; a warning is logged when the gateway is on.
    /// </summary>
    /// <param name="services">The application's services.</param>
    /// <param name="configure">Changes to <see cref="CreditsDevelopmentOptions"/> after binding section <c>MediaForge:Credits:Development</c>.</param>
    /// <returns>The same services.</returns>
    public static IServiceCollection AddCreditsDevelopmentGateway(this IServiceCollection services, Action<CreditsDevelopmentOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<CreditsDevelopmentOptions>()
            .Configure<IServiceProvider>((options, provider) =>
            {
                provider.GetService<IConfiguration>()?.GetSection(CreditsDevelopmentOptions.SectionName).Bind(options);
                configure?.Invoke(options);
            })
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CreditsDevelopmentOptions>, DevelopmentGatewayOptionsValidator>());

        // Secrets for the process when none is configured, so that the real webhook endpoints verify real signatures.
        var stripeSecret = "whsec_dev_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        var clerkSecret = "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));
        services.AddOptions<CreditsStripeOptions>().PostConfigure<IServiceProvider>((options, provider) =>
        {
            var configuration = provider.GetService<IConfiguration>();
            if (string.IsNullOrWhiteSpace(options.SecretKey ?? configuration?["STRIPE_SECRET_KEY"]))
            {
                options.WebhookSecret ??= configuration?["STRIPE_WEBHOOK_SECRET"] ?? stripeSecret;
            }
        });
        services.AddOptions<CreditsClerkOptions>().PostConfigure<IServiceProvider>((options, provider) =>
            options.WebhookSecret ??= provider.GetService<IConfiguration>()?["CLERK_WEBHOOK_SECRET"] ?? clerkSecret);

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<DevelopmentCheckoutStore>();
        services.TryAddSingleton<DevelopmentStripeApi>();
        services.TryAddSingleton<DevelopmentOffSessionCharges>();
        services.TryAddSingleton<DevelopmentGatewayState>();
        services.TryAddSingleton<DevelopmentWebhookSender>();
        services.TryAddSingleton<DevelopmentCheckoutEndpoints>();
        services.TryAddSingleton<DevelopmentStripeEvents>();
        services.TryAddSingleton<DevelopmentSubscriptionEndpoints>();
        services.TryAddSingleton<IClerkDevelopmentWebhook, ClerkDevelopmentWebhook>();
        services.TryAddSingleton<IStripeClient>(provider =>
        {
            var key = provider.GetRequiredService<IOptions<CreditsStripeOptions>>().Value.SecretKey;
            return string.IsNullOrWhiteSpace(key) ? provider.GetRequiredService<DevelopmentStripeApi>().Client : new StripeClient(key);
        });
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.Extensions.Hosting.IHostedService, DevelopmentGatewayNotice>());
        services.TryAddSingleton<MediaForge.Credits.AspNetCore.Endpoints.CreditsPublicAddress>();
        services.AddHttpClient(DevelopmentWebhookSender.ClientName, client => client.Timeout = TimeSpan.FromSeconds(30))
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false });
        return services;
    }
}
