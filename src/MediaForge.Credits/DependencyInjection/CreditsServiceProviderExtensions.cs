using MediaForge.Credits.DependencyInjection;
using Microsoft.Extensions.DependencyInjection;

namespace MediaForge.Credits;

/// <summary>Set-up of the credit database at application start.</summary>
public static class CreditsServiceProviderExtensions
{
    /// <summary>
    /// Prepares the credit database: creates the schema when asked (development; production hosts use migrations),
    /// switches SQLite to WAL, and inserts the default packages and feature prices that are missing, never
    /// overwriting edited rows. Safe to run on every start and from several instances at once.
    /// </summary>
    /// <param name="services">The application's root services (for example <c>app.Services</c>).</param>
    /// <param name="createSchema">Whether to create the credit tables when they are missing.</param>
    /// <param name="cancellationToken">Cancels the set-up.</param>
    /// <returns>What is configured and what is missing.</returns>
    public static async Task<CreditsSetupReport> InitializeCreditsAsync(this IServiceProvider services, bool createSchema = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(services);
        await using var scope = services.CreateAsyncScope();
        var setup = ActivatorUtilities.CreateInstance<CreditsSetup>(scope.ServiceProvider);
        return await setup.RunAsync(createSchema, cancellationToken).ConfigureAwait(false);
    }
}
