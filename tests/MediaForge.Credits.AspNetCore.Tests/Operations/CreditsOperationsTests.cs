using System.Diagnostics.Metrics;
using MediaForge.Credits.AspNetCore.Tests.Infrastructure;
using MediaForge.Credits.Storage;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Time.Testing;

namespace MediaForge.Credits.AspNetCore.Tests.Operations;

/// <summary>Webhook metrics and the health check on a real host.</summary>
public abstract class CreditsOperationsTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private Task<CreditsApp> StartAsync(Action<IServiceCollection>? configure = null) =>
        CreditsApp.StartAsync(database, database.ConnectionString, services =>
        {
            services.AddHealthChecks().AddMediaForgeCreditsHealthCheck();
            configure?.Invoke(services);
        });

    private static MetricCollector<long> Collect(CreditsApp app, string instrument) =>
        new(app.Services.GetRequiredService<IMeterFactory>(), "MediaForge.Credits", instrument);

    [Fact]
    public async Task StripeWebhook_BadSignature_CountsRejected()
    {
        await using var app = await StartAsync();
        using var rejected = Collect(app, "mediaforge.credits.webhooks.rejected");

        await app.Client().SendAsync(WebhookPayloads.StripeRequest(WebhookPayloads.StripeOtherEvent("customer.created"), secret: "whsec_wrong"));

        var measurement = Assert.Single(rejected.GetMeasurementSnapshot());
        Assert.True(measurement.MatchesTags(new KeyValuePair<string, object?>("credits.provider", "stripe"), new KeyValuePair<string, object?>("credits.reason", "invalid_signature")));
    }

    [Fact]
    public async Task StripeWebhook_SameEventTwice_CountsProcessedThenDuplicate()
    {
        await using var app = await StartAsync();
        using var processed = Collect(app, "mediaforge.credits.webhooks.processed");
        using var duplicate = Collect(app, "mediaforge.credits.webhooks.duplicate");
        var json = WebhookPayloads.StripeOtherEvent("customer.created");

        await app.Client().SendAsync(WebhookPayloads.StripeRequest(json));
        await app.Client().SendAsync(WebhookPayloads.StripeRequest(json));

        Assert.True(Assert.Single(processed.GetMeasurementSnapshot()).ContainsTags(new KeyValuePair<string, object?>("credits.outcome", "ignored")));
        Assert.Single(duplicate.GetMeasurementSnapshot());
    }

    [Fact]
    public async Task HealthCheck_ConfiguredAndSeeded_IsHealthy()
    {
        await using var app = await StartAsync();

        var report = await app.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        Assert.Equal(HealthStatus.Healthy, report.Status);
    }

    [Fact]
    public async Task HealthCheck_ClerkSecretMissing_IsDegradedAndNamesIt()
    {
        await using var app = await StartAsync(s => s.PostConfigure<CreditsClerkOptions>(o => o.WebhookSecret = null));

        var entry = (await app.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync()).Entries["mediaforge-credits"];

        Assert.Equal(HealthStatus.Degraded, entry.Status);
        Assert.Contains("CLERK_WEBHOOK_SECRET", entry.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HealthCheck_RollUpNotMatchingTheLogs_IsDegradedAndNamesIt()
    {
        var connectionString = await database.CreateDatabaseAsync();
        var past = database.BuildServices(connectionString, time: new FakeTimeProvider(new DateTimeOffset(2025, 6, 2, 10, 15, 0, TimeSpan.Zero)));
        await past.InitializeCreditsAsync(createSchema: true);
        await database.WithCreditsAsync(async credits =>
        {
            await credits.AddCreditsAsync("health-user", 50, CreditTransactionType.Bonus, "welcome");
            return await credits.DeductCreditsAsync("health-user", "video-generation", "hailuo");
        }, past);
        await using (var scope = past.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<CreditsDbContext>().Database.ExecuteSqlRawAsync("DELETE FROM credit_usage_hours");
        }

        await using var stale = await CreditsApp.StartAsync(database, connectionString, s => s.AddHealthChecks().AddMediaForgeCreditsHealthCheck());
        var entry = (await stale.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync()).Entries["mediaforge-credits"];

        Assert.Equal(HealthStatus.Degraded, entry.Status);
        Assert.Contains("The hourly usage roll-up does not match the usage logs", entry.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HealthCheck_DatabaseWithoutCreditTables_IsUnhealthy()
    {
        var services = new ServiceCollection();
        var empty = await database.CreateDatabaseAsync();
        services.AddDbContextPool<CreditsDbContext>(o => database.UseProvider(o, empty));
        services.AddMediaForgeCredits().UseEntityFrameworkCore<CreditsDbContext>();
        services.AddMediaForgeCreditsWeb();
        services.AddLogging();
        services.AddHealthChecks().AddMediaForgeCreditsHealthCheck();
        await using var provider = services.BuildServiceProvider();

        var report = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        Assert.Equal(HealthStatus.Unhealthy, report.Status);
    }
}

public sealed class SqliteCreditsOperationsTests(SqliteCreditsDatabase database) : CreditsOperationsTests<SqliteCreditsDatabase>(database);

public sealed class PostgresCreditsOperationsTests(PostgresCreditsDatabase database) : CreditsOperationsTests<PostgresCreditsDatabase>(database);
