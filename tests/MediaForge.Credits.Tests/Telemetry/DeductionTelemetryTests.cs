using System.Diagnostics.Metrics;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace MediaForge.Credits.Tests.Telemetry;

/// <summary>
/// What a deduction counts: credits consumed once per charge and a refusal once, whichever path wrote it (the batch
/// writer's, the caller's own on an idle lane, or alone with group commit off); a replay or a key conflict counts nothing.
/// </summary>
public abstract class DeductionTelemetryTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private static string NewUser() => "user_" + Guid.NewGuid().ToString("N");

    private ServiceProvider Services(bool coalesce = true, CommitFault? fault = null) => database.BuildServices(database.ConnectionString,
        o => o.CoalesceDeductions = coalesce,
        configureContext: fault is null ? null : o => o.AddInterceptors(fault, fault.Commands),
        configureServices: s => s.AddSingleton<IMeterFactory, TestMeterFactory>());

    private static MetricCollector<long> Collect(IServiceProvider services, string instrument) =>
        new(services.GetRequiredService<IMeterFactory>(), "MediaForge.Credits", instrument);

    private async Task<string> UserWithAsync(IServiceProvider services, long credits)
    {
        var user = NewUser();
        await database.WithCreditsAsync(c => c.AddCreditsAsync(user, credits, CreditTransactionType.Purchase, "pack"), services);
        return user;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task DeductCredits_Charged_CountsTheCreditsOnce_WithOrWithoutGroupCommit(bool coalesce)
    {
        await using var services = Services(coalesce);
        using var consumed = Collect(services, "mediaforge.credits.consumed");
        var user = await UserWithAsync(services, 20);

        await database.WithCreditsAsync(c => c.DeductCreditsAsync(user, "video-generation", "veo2"), services);

        Assert.Equal(15, Assert.Single(consumed.GetMeasurementSnapshot()).Value);
    }

    [Fact]
    public async Task DeductCredits_Replayed_CountsNothingAgain()
    {
        await using var services = Services();
        using var consumed = Collect(services, "mediaforge.credits.consumed");
        using var rejected = Collect(services, "mediaforge.credits.deductions.rejected");
        var user = await UserWithAsync(services, 20);

        await database.WithCreditsAsync(c => c.DeductCreditsAsync(user, "image-generation", "default", idempotencyKey: "job-1"), services);
        var replay = await database.WithCreditsAsync(c => c.DeductCreditsAsync(user, "image-generation", "default", idempotencyKey: "job-1"), services);

        Assert.True(replay.IsReplay);
        Assert.Equal(3, Assert.Single(consumed.GetMeasurementSnapshot()).Value);
        Assert.Empty(rejected.GetMeasurementSnapshot());
    }

    [Fact]
    public async Task DeductCredits_KeyUsedForAnotherRequest_CountsNeitherACharge_NorARefusal()
    {
        await using var services = Services();
        using var consumed = Collect(services, "mediaforge.credits.consumed");
        using var rejected = Collect(services, "mediaforge.credits.deductions.rejected");
        var user = await UserWithAsync(services, 20);

        await database.WithCreditsAsync(c => c.DeductCreditsAsync(user, "image-generation", "default", idempotencyKey: "job-1"), services);
        var conflict = await database.WithCreditsAsync(c => c.DeductCreditsAsync(user, "video-generation", "veo2", idempotencyKey: "job-1"), services);

        Assert.Equal(CreditDeductionError.IdempotencyKeyConflict, conflict.Error);
        Assert.Single(consumed.GetMeasurementSnapshot());
        Assert.Empty(rejected.GetMeasurementSnapshot());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task DeductCredits_Refused_CountsOneRefusal_AndNoCredits(bool coalesce)
    {
        await using var services = Services(coalesce);
        using var consumed = Collect(services, "mediaforge.credits.consumed");
        using var unlimited = Collect(services, "mediaforge.credits.unlimited_uses");
        using var rejected = Collect(services, "mediaforge.credits.deductions.rejected");
        var user = await UserWithAsync(services, 2);

        var refused = await database.WithCreditsAsync(c => c.DeductCreditsAsync(user, "image-generation", "default"), services);

        Assert.False(refused.Success);
        Assert.Single(rejected.GetMeasurementSnapshot());
        Assert.Empty(consumed.GetMeasurementSnapshot());
        Assert.Empty(unlimited.GetMeasurementSnapshot());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task DeductCredits_CommitAcknowledgementLost_CountsTheChargeItFindsOnce(bool coalesce)
    {
        var fault = new CommitFault();
        await using var services = Services(coalesce, fault);
        using var consumed = Collect(services, "mediaforge.credits.consumed");
        var user = await UserWithAsync(services, 20);

        fault.Arm(CommitFaultKind.AcknowledgementLost);
        var result = await database.WithCreditsAsync(c => c.DeductCreditsAsync(user, "video-generation", "hailuo"), services);

        Assert.Equal((1, true), (fault.Struck, result.Success));
        Assert.Equal(8, Assert.Single(consumed.GetMeasurementSnapshot()).Value);
    }
}

public sealed class SqliteDeductionTelemetryTests(SqliteCreditsDatabase database) : DeductionTelemetryTests<SqliteCreditsDatabase>(database);

public sealed class PostgresDeductionTelemetryTests(PostgresCreditsDatabase database) : DeductionTelemetryTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbDeductionTelemetryTests(MariaDbCreditsDatabase database) : DeductionTelemetryTests<MariaDbCreditsDatabase>(database);
