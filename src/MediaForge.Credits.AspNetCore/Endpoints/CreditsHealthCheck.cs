using System.Data.Common;
using MediaForge.Credits.Storage;
using MediaForge.Credits.Storage.Schema;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace MediaForge.Credits.AspNetCore.Endpoints;

/// <summary>
/// The seed's troubleshooting list as one check: the database answers (else unhealthy), the credit tables exist (else
/// unhealthy), the schema version is the library's and the derived usage data matches the logs (the start-up check's
/// bounded samples), active prices and packages are seeded, and the Stripe key and both webhook secrets are configured
/// (else the registration's failure status, degraded by default: deductions work, purchases or sign-ups do not).
/// </summary>
internal sealed class CreditsHealthCheck(
    CreditsDbContextHandle handle,
    IOptions<CreditsStripeOptions> stripe,
    IOptions<CreditsClerkOptions> clerk,
    TimeProvider time) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var db = handle.Context;
        var data = new Dictionary<string, object>();
        if (!await db.Database.CanConnectAsync(cancellationToken).ConfigureAwait(false))
        {
            return HealthCheckResult.Unhealthy("The credits database cannot be reached.", data: data);
        }

        int prices, packages;
        IReadOnlyList<string> schema = [];
        try
        {
            prices = await db.Set<FeaturePrice>().CountAsync(p => p.IsActive, cancellationToken).ConfigureAwait(false);
            packages = await db.Set<CreditPackage>().CountAsync(p => p.IsActive, cancellationToken).ConfigureAwait(false);
            if (db.Database.IsRelational())
            {
                schema = (await new CreditsSchemaCheck(db).CheckAsync(time.GetUtcNow().UtcDateTime, cancellationToken).ConfigureAwait(false)).Problems;
            }
        }
        catch (DbException error)
        {
            return HealthCheckResult.Unhealthy("The credit tables are missing: create them (InitializeCreditsAsync(createSchema: true) or your migrations).", error, data);
        }

        data["activePrices"] = prices;
        data["activePackages"] = packages;
        var problems = new List<string>(schema);
        if (prices == 0)
        {
            problems.Add("no active feature prices (every deduction fails)");
        }

        if (packages == 0)
        {
            problems.Add("no active credit packages (nothing to buy)");
        }

        if (string.IsNullOrWhiteSpace(stripe.Value.SecretKey))
        {
            problems.Add("STRIPE_SECRET_KEY is not set (checkout answers 503)");
        }

        if (string.IsNullOrWhiteSpace(stripe.Value.WebhookSecret))
        {
            problems.Add("STRIPE_WEBHOOK_SECRET is not set (purchases are fulfilled only from the success page)");
        }

        if (string.IsNullOrWhiteSpace(clerk.Value.WebhookSecret))
        {
            problems.Add("CLERK_WEBHOOK_SECRET is not set (sign-ups get no starter credits)");
        }

        data["problems"] = problems.ToArray();
        return problems.Count == 0
            ? HealthCheckResult.Healthy("Credits database, catalog and webhook secrets are in place.", data)
            : new HealthCheckResult(context.Registration.FailureStatus, string.Join("; ", problems) + ".", data: data);
    }
}
