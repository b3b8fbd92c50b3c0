using MediaForge.Credits.AspNetCore.Clerk;
using MediaForge.Credits.AspNetCore.DependencyInjection;
using MediaForge.Credits.AspNetCore.Events;
using MediaForge.Credits.AspNetCore.Stripe;
using MediaForge.Credits.AspNetCore;
using MediaForge.Credits;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the credit system with its ASP.NET Core add-on.</summary>
public static class CreditsWebServiceCollectionExtensions
{
    /// <summary>
    /// Adds the credit system, its endpoints' services (Stripe Checkout and webhook, Clerk webhook, user resolution,
    /// the admin policy) and binds every option from configuration: section <c>MediaForge:Credits</c> (and its
    /// <c>Stripe</c>, <c>Clerk</c>, <c>Http</c>, <c>Webhooks</c> subsections), plus the seed's variables <c>STRIPE_SECRET_KEY</c>,
    /// <c>STRIPE_WEBHOOK_SECRET</c>, <c>NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY</c> (or <c>STRIPE_PUBLISHABLE_KEY</c>) and
    /// <c>CLERK_WEBHOOK_SECRET</c>. Options are validated at start-up. Chain
    /// <see cref="CreditsBuilder.UseEntityFrameworkCore{TContext}"/>.
    /// </summary>
    /// <param name="services">The application's services.</param>
    /// <param name="configuration">The application's configuration.</param>
    /// <param name="configure">Further changes to <see cref="CreditsOptions"/> after binding.</param>
    /// <returns>A builder to continue the set-up.</returns>
    public static CreditsBuilder AddMediaForgeCredits(this IServiceCollection services, IConfiguration configuration, Action<CreditsOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var builder = services.AddMediaForgeCredits(options =>
        {
            configuration.GetSection(CreditsOptions.SectionName).Bind(options, b => b.ErrorOnUnknownConfiguration = false);
            foreach (var admin in (configuration["ADMIN_USER_IDS"] ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                options.AdminUserIds.Add(admin);
            }

            configure?.Invoke(options);
        });

        services.AddOptions<CreditsStripeOptions>()
            .Bind(configuration.GetSection(CreditsStripeOptions.SectionName))
            .PostConfigure(o =>
            {
                o.SecretKey ??= configuration["STRIPE_SECRET_KEY"];
                o.WebhookSecret ??= configuration["STRIPE_WEBHOOK_SECRET"];
                o.PublishableKey ??= configuration["NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY"] ?? configuration["STRIPE_PUBLISHABLE_KEY"];
            });
        services.AddOptions<CreditsClerkOptions>()
            .Bind(configuration.GetSection(CreditsClerkOptions.SectionName))
            .PostConfigure(o => o.WebhookSecret ??= configuration["CLERK_WEBHOOK_SECRET"]);
        services.AddOptions<CreditsHttpOptions>().Bind(configuration.GetSection(CreditsHttpOptions.SectionName));
        services.AddOptions<CreditWebhookOptions>().Bind(configuration.GetSection(CreditWebhookOptions.SectionName));
        services.AddMediaForgeCreditsWeb();
        return builder;
    }

    /// <summary>
    /// Adds only the add-on's services (for hosts that call the core <c>AddMediaForgeCredits(Action)</c> and configure
    /// <see cref="CreditsStripeOptions"/>, <see cref="CreditsClerkOptions"/>, <see cref="CreditsHttpOptions"/> and <see cref="CreditWebhookOptions"/> themselves).
    /// Calling it more than once is harmless.
    /// </summary>
    /// <param name="services">The application's services.</param>
    /// <returns>The same services.</returns>
    public static IServiceCollection AddMediaForgeCreditsWeb(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<CreditsStripeOptions>().ValidateOnStart();
        services.AddOptions<CreditsClerkOptions>().ValidateOnStart();
        services.AddOptions<CreditsHttpOptions>().ValidateOnStart();
        services.AddOptions<CreditWebhookOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CreditWebhookOptions>, CreditWebhookOptionsValidator>());
        services.AddHttpClient(CreditWebhookSender.ClientName);
        services.TryAddEnumerable(ServiceDescriptor.Scoped<MediaForge.Credits.Events.ICreditEventHandler<MediaForge.Credits.Events.CreditEvent>, CreditWebhookSender>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CreditsStripeOptions>, CreditsWebOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CreditsClerkOptions>, CreditsWebOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CreditsHttpOptions>, CreditsWebOptionsValidator>());
        services.AddProblemDetails();
        services.TryAddSingleton<CreditUserAccessor>();
        services.TryAddSingleton<StripeClientAccessor>();
        services.TryAddSingleton<SvixSignatureVerifier>();
        services.TryAddSingleton<CreditsPublicAddress>();
        services.TryAddScoped<WebhookEventRecorder>();
        services.TryAddScoped<StripeCheckoutHandler>();
        services.TryAddScoped<StripeSubscriptionCheckout>();
        services.TryAddScoped<StripeWebhookHandler>();
        services.TryAddSingleton<StripeTopUpWorker>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.Extensions.Hosting.IHostedService, StripeTopUpWorker>(sp => sp.GetRequiredService<StripeTopUpWorker>()));
        services.TryAddScoped<ClerkWebhookHandler>();
        UseProblemAuthorizationAnswers(services);
        services.AddAuthorization();
        services.AddOptions<Microsoft.AspNetCore.Authorization.AuthorizationOptions>()
            .Configure<IOptions<CreditsHttpOptions>>((authorization, http) =>
            {
                if (authorization.GetPolicy(CreditsHttpOptions.AdminPolicy) is null)
                {
                    authorization.AddPolicy(CreditsHttpOptions.AdminPolicy, policy => policy.RequireAuthenticatedUser()
                        .RequireClaim(http.Value.AdminClaimType, http.Value.AdminClaimValue));
                }
            });
        return services;
    }

    /// <summary>
    /// 401 and 403 answers of the add-on's JSON endpoints carry problem details: the default authorization result
    /// handler is wrapped (a host's own handler is kept as it is).
    /// </summary>
    private static void UseProblemAuthorizationAnswers(IServiceCollection services)
    {
        var current = services.LastOrDefault(d => d.ServiceType == typeof(IAuthorizationMiddlewareResultHandler));
        if (current is null || current.ImplementationType == typeof(AuthorizationMiddlewareResultHandler))
        {
            services.RemoveAll<IAuthorizationMiddlewareResultHandler>();
            services.AddSingleton<IAuthorizationMiddlewareResultHandler, CreditsJsonEndpoint.AuthorizationResultHandler>();
        }
    }
}
