using System.Diagnostics.Metrics;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace MediaForge.Credits.Tests.Telemetry;

/// <summary>
/// What a grant counts: the credits once, also when its commit's acknowledgement was lost and the grant is found applied
/// (counted by the lookup that settles it, with its type); a replay of its key counts nothing.
/// </summary>
public abstract class GrantTelemetryTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private ServiceProvider Services(CommitFault fault) => database.BuildServices(database.ConnectionString,
        configureContext: o => o.AddInterceptors(fault, fault.Commands),
        configureServices: s => s.AddSingleton<IMeterFactory, TestMeterFactory>());

    [Fact]
    public async Task AddCredits_CommitAcknowledgementLost_CountsTheGrantItFindsOnceWithItsType()
    {
        var fault = new CommitFault();
        await using var services = Services(fault);
        using var granted = new MetricCollector<long>(services.GetRequiredService<IMeterFactory>(), "MediaForge.Credits", "mediaforge.credits.granted");
        var user = "user_" + Guid.NewGuid().ToString("N");

        fault.Arm(CommitFaultKind.AcknowledgementLost);
        var result = await database.WithCreditsAsync(c => c.AddCreditsAsync(user, 40, CreditTransactionType.Bonus, "welcome", idempotencyKey: "welcome-" + user), services);
        await database.WithCreditsAsync(c => c.AddCreditsAsync(user, 40, CreditTransactionType.Bonus, "welcome", idempotencyKey: "welcome-" + user), services);

        Assert.Equal((1, 40L), (fault.Struck, result.Balance));
        var measurement = Assert.Single(granted.GetMeasurementSnapshot());
        Assert.Equal((40L, "Bonus"), (measurement.Value, measurement.Tags["credit.type"]?.ToString()));
    }
}

public sealed class SqliteGrantTelemetryTests(SqliteCreditsDatabase database) : GrantTelemetryTests<SqliteCreditsDatabase>(database);

public sealed class PostgresGrantTelemetryTests(PostgresCreditsDatabase database) : GrantTelemetryTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbGrantTelemetryTests(MariaDbCreditsDatabase database) : GrantTelemetryTests<MariaDbCreditsDatabase>(database);
