using MediaForge.Credits.DependencyInjection;
using MediaForge.Credits.Telemetry;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the credit system.</summary>
public static class CreditsServiceCollectionExtensions
{
    /// <summary>
    /// Adds the credit system's options and services. Chain <see cref="MediaForge.Credits.CreditsBuilder.UseEntityFrameworkCore{TContext}"/>
    /// to choose the <c>DbContext</c>. Calling it more than once is harmless: each call only adds its
    /// <paramref name="configure"/> delegate.
    /// </summary>
    /// <param name="services">The application's services.</param>
    /// <param name="configure">Configures <see cref="MediaForge.Credits.CreditsOptions"/>, for example admin user ids.</param>
    /// <returns>A builder to continue the set-up.</returns>
    public static MediaForge.Credits.CreditsBuilder AddMediaForgeCredits(this IServiceCollection services, Action<MediaForge.Credits.CreditsOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<MediaForge.Credits.CreditsOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MediaForge.Credits.CreditsOptions>, CreditsOptionsValidator>());
        options.ValidateOnStart();
        services.AddLogging();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<FeaturePriceCache>();
        services.TryAddSingleton(sp => new CreditsTelemetry(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        return new MediaForge.Credits.CreditsBuilder(services);
    }
}
