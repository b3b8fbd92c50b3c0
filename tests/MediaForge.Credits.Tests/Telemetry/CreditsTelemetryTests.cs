using System.Diagnostics.Metrics;
using MediaForge.Credits.Storage;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace MediaForge.Credits.Tests.Telemetry;

/// <summary>The <c>MediaForge.Credits</c> meter and activity source, observed on a service provider of the test's own.</summary>
public abstract class CreditsTelemetryTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private static string NewUser() => "user_" + Guid.NewGuid().ToString("N");

    /// <summary>Services with their own <see cref="IMeterFactory"/>, so the collectors see only this test's measurements.</summary>
    private ServiceProvider BuildServices(TimeProvider? time = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IMeterFactory, TestMeterFactory>();
        if (time is not null)
        {
            services.AddSingleton(time);
        }

        services.AddDbContextPool<CreditsDbContext>(o => database.UseProvider(o, database.ConnectionString));
        services.AddMediaForgeCredits().UseEntityFrameworkCore<CreditsDbContext>();
        return services.BuildServiceProvider();
    }

    private static MetricCollector<T> Collect<T>(IServiceProvider services, string instrument)
        where T : struct =>
        new(services.GetRequiredService<IMeterFactory>(), "MediaForge.Credits", instrument);

    private static async Task<T> CreditsAsync<T>(IServiceProvider services, Func<ICreditService, Task<T>> action)
    {
        await using var scope = services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<ICreditService>());
    }

    [Fact]
    public async Task DeductCredits_Success_CountsConsumedCreditsByFeatureAndModel()
    {
        await using var services = BuildServices();
        using var consumed = Collect<long>(services, "mediaforge.credits.consumed");
        var user = NewUser();
        await CreditsAsync(services, c => c.AddCreditsAsync(user, 20, CreditTransactionType.Purchase, "grant"));

        await CreditsAsync(services, c => c.DeductCreditsAsync(user, "video-generation", "veo2"));

        var measurement = Assert.Single(consumed.GetMeasurementSnapshot());
        Assert.Equal(15, measurement.Value);
        Assert.True(measurement.MatchesTags(new KeyValuePair<string, object?>("credits.feature", "video-generation"), new KeyValuePair<string, object?>("credits.model", "veo2")));
    }

    [Fact]
    public async Task TransferCredits_Success_CountsTheCreditsMoved()
    {
        await using var services = BuildServices();
        using var transferred = Collect<long>(services, "mediaforge.credits.transferred");
        var sender = NewUser();
        await CreditsAsync(services, c => c.AddCreditsAsync(sender, 20, CreditTransactionType.Purchase, "grant"));

        await CreditsAsync(services, c => c.TransferCreditsAsync(sender, NewUser(), 7, "gift"));

        Assert.Equal(7, Assert.Single(transferred.GetMeasurementSnapshot()).Value);
    }

    [Theory]
    [InlineData(5, "insufficient_credits")]
    [InlineData(0, "same_user")]
    public async Task TransferCredits_Refused_CountsTheRefusalByReason(long amount, string reason)
    {
        await using var services = BuildServices();
        using var refused = Collect<long>(services, "mediaforge.credits.transfers.refused");
        var sender = NewUser();

        await CreditsAsync(services, c => c.TransferCreditsAsync(sender, amount == 0 ? sender : NewUser(), Math.Max(1, amount), "refused"));

        var measurement = Assert.Single(refused.GetMeasurementSnapshot());
        Assert.True(measurement.ContainsTags(new KeyValuePair<string, object?>("credits.reason", reason)));
    }

    [Fact]
    public async Task DeductCredits_InsufficientBalance_CountsRejection()
    {
        await using var services = BuildServices();
        using var rejected = Collect<long>(services, "mediaforge.credits.deductions.rejected");

        await CreditsAsync(services, c => c.DeductCreditsAsync(NewUser(), "image-generation", "default"));

        var measurement = Assert.Single(rejected.GetMeasurementSnapshot());
        Assert.True(measurement.ContainsTags(new KeyValuePair<string, object?>("credits.reason", "insufficient_credits")));
    }

    [Fact]
    public async Task ExpireCredits_LapsedRemainder_CountsExpiredCredits()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var services = BuildServices(clock);
        using var expired = Collect<long>(services, "mediaforge.credits.expired");
        var user = NewUser();
        await CreditsAsync(services, c => c.AddExpiringCreditsAsync(user, 12, CreditTransactionType.Bonus, "promo", clock.GetUtcNow().AddHours(1)));
        clock.Advance(TimeSpan.FromHours(2));

        await CreditsAsync(services, c => c.DeductCreditsAsync(user, "image-generation", "default"));

        Assert.Equal(12, Assert.Single(expired.GetMeasurementSnapshot()).Value);
    }

    [Fact]
    public async Task ExpireCredits_Sweep_CountsTheCreditsItEnded()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var services = BuildServices(clock);
        using var expired = Collect<long>(services, "mediaforge.credits.expired");
        foreach (var credits in new long[] { 12, 5 })
        {
            await CreditsAsync(services, c => c.AddExpiringCreditsAsync(NewUser(), credits, CreditTransactionType.Bonus, "promo", clock.GetUtcNow().AddHours(1)));
        }

        clock.Advance(TimeSpan.FromHours(2));
        var removed = await CreditsAsync(services, c => c.ExpireCreditsAsync());

        // At least these two users' 17 (the class's database may hold other lapsed lots the sweep also ends).
        Assert.InRange(removed, 17, long.MaxValue);
        Assert.Equal(removed, expired.GetMeasurementSnapshot().Sum(m => m.Value));
    }

    [Fact]
    public async Task DeductCredits_AnyOutcome_RecordsOneDuration()
    {
        await using var services = BuildServices();
        using var duration = Collect<double>(services, "mediaforge.credits.deduction.duration");

        await CreditsAsync(services, c => c.DeductCreditsAsync(NewUser(), "image-generation", "default"));

        Assert.Single(duration.GetMeasurementSnapshot());
    }

    [Fact]
    public async Task AddCredits_Purchase_CountsGrantedByType()
    {
        await using var services = BuildServices();
        using var granted = Collect<long>(services, "mediaforge.credits.granted");

        await CreditsAsync(services, c => c.AddCreditsAsync(NewUser(), 200, CreditTransactionType.Purchase, "grant"));

        var measurement = Assert.Single(granted.GetMeasurementSnapshot());
        Assert.Equal(200, measurement.Value);
        Assert.True(measurement.MatchesTags(new KeyValuePair<string, object?>("credit.type", "Purchase")));
    }

    [Fact]
    public async Task AddCredits_Refund_CountsRefundedNotGranted()
    {
        await using var services = BuildServices();
        using var granted = Collect<long>(services, "mediaforge.credits.granted");
        using var refunded = Collect<long>(services, "mediaforge.credits.refunded");

        await CreditsAsync(services, c => c.AddCreditsAsync(NewUser(), 8, CreditTransactionType.Refund, "failed job"));

        Assert.Equal(8, Assert.Single(refunded.GetMeasurementSnapshot()).Value);
        Assert.Empty(granted.GetMeasurementSnapshot());
    }

    [Fact]
    public async Task DeductCredits_WithListener_EmitsDeductSpanTaggedWithUserAndOutcome()
    {
        var user = NewUser();
        using var collected = new CollectedSpans(activity => activity.GetTagItem("credits.user_id") as string == user);
        await using var services = BuildServices();
        await CreditsAsync(services, c => c.AddCreditsAsync(user, 10, CreditTransactionType.Purchase, "grant"));

        await CreditsAsync(services, c => c.DeductCreditsAsync(user, "image-generation", "default"));

        Assert.Equal(["credits.grant", "credits.deduct"], collected.Spans.Select(s => s.OperationName));
        Assert.Equal("deducted", collected.Spans[^1].GetTagItem("credits.outcome"));
    }
}

/// <summary>A meter factory whose meters carry it as their scope (what the host's factory does).</summary>
public sealed class TestMeterFactory : IMeterFactory
{
    private readonly List<Meter> meters = [];

    public Meter Create(MeterOptions options)
    {
        var meter = new Meter(options.Name, options.Version, options.Tags, scope: this);
        meters.Add(meter);
        return meter;
    }

    public void Dispose() => meters.ForEach(m => m.Dispose());
}

public sealed class SqliteCreditsTelemetryTests(SqliteCreditsDatabase database) : CreditsTelemetryTests<SqliteCreditsDatabase>(database);

public sealed class PostgresCreditsTelemetryTests(PostgresCreditsDatabase database) : CreditsTelemetryTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbCreditsTelemetryTests(MariaDbCreditsDatabase database) : CreditsTelemetryTests<MariaDbCreditsDatabase>(database);
