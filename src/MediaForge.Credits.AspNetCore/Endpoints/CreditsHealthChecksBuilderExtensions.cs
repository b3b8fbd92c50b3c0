using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the credit system's health check.</summary>
public static class CreditsHealthChecksBuilderExtensions
{
    /// <summary>
    /// Adds a check that the credits database is reachable and has the credit tables (unhealthy otherwise), that
    /// prices and packages are seeded and that the Stripe key and the Stripe and Clerk webhook secrets are configured
    /// (<paramref name="failureStatus"/> otherwise). Map it with <c>app.MapHealthChecks("/health")</c>.
    /// </summary>
    /// <param name="builder">The health checks builder (<c>services.AddHealthChecks()</c>).</param>
    /// <param name="name">The check's name. Default <c>mediaforge-credits</c>.</param>
    /// <param name="failureStatus">The status for missing seeds or secrets. Default <see cref="HealthStatus.Degraded"/>.</param>
    /// <param name="tags">Tags to filter the check by (for example <c>ready</c>).</param>
    /// <returns>The same builder.</returns>
    public static IHealthChecksBuilder AddMediaForgeCreditsHealthCheck(this IHealthChecksBuilder builder, string name = "mediaforge-credits",
        HealthStatus failureStatus = HealthStatus.Degraded, IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddCheck<CreditsHealthCheck>(name, failureStatus, tags ?? []);
    }
}
