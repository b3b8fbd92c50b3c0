using System.Diagnostics.Metrics;
using MediaForge.Credits.Tests.Infrastructure;
using MediaForge.Credits.Tests.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace MediaForge.Credits.Tests.Transfers;

/// <summary>What a transfer tells the host's logs and metrics: the outcome, the balances and each refusal by its reason.</summary>
public abstract class TransferObservabilityTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private readonly FakeLogCollector logs = new();

    private static string NewUser() => "user_" + Guid.NewGuid().ToString("N");

    private ServiceProvider Services(Action<CreditsOptions>? configure = null, CommitFault? fault = null) => database.BuildServices(database.ConnectionString, configure,
        configureContext: fault is null ? null : o => o.AddInterceptors(fault),
        configureServices: s =>
        {
            s.AddSingleton<IMeterFactory, TestMeterFactory>();
            s.AddLogsTo(logs);
        });

    private static MetricCollector<long> Refusals(IServiceProvider services) =>
        new(services.GetRequiredService<IMeterFactory>(), "MediaForge.Credits", "mediaforge.credits.transfers.refused");

    private async Task<string> SenderWithAsync(IServiceProvider services, long credits)
    {
        var user = NewUser();
        await database.WithCreditsAsync(c => c.AddCreditsAsync(user, credits, CreditTransactionType.Purchase, "pack"), services);
        return user;
    }

    private static void AssertCountedAs(MetricCollector<long> refusals, string reason) =>
        Assert.True(Assert.Single(refusals.GetMeasurementSnapshot()).ContainsTags(new KeyValuePair<string, object?>("credits.reason", reason)));

    [Fact]
    public async Task TransferCredits_TransfersOff_CountedAsTransfersDisabled()
    {
        await using var services = Services(o => o.Transfers.Enabled = false);
        using var refusals = Refusals(services);

        await database.WithCreditsAsync(c => c.TransferCreditsAsync(NewUser(), NewUser(), 1, "off"), services);

        AssertCountedAs(refusals, "transfers_disabled");
    }

    [Fact]
    public async Task TransferCredits_OverTheMaximum_CountedAsOverMaximum()
    {
        await using var services = Services(o => o.Transfers.MaxTransferAmount = 3);
        using var refusals = Refusals(services);

        await database.WithCreditsAsync(c => c.TransferCreditsAsync(NewUser(), NewUser(), 4, "big"), services);

        AssertCountedAs(refusals, "over_maximum");
    }

    [Fact]
    public async Task TransferCredits_KeyUsedForAnotherTransfer_CountedAsIdempotencyKeyConflict()
    {
        await using var services = Services();
        var sender = await SenderWithAsync(services, 10);
        await database.WithCreditsAsync(c => c.TransferCreditsAsync(sender, NewUser(), 2, "first", "key-1"), services);
        using var refusals = Refusals(services);

        await database.WithCreditsAsync(c => c.TransferCreditsAsync(sender, NewUser(), 3, "second", "key-1"), services);

        AssertCountedAs(refusals, "idempotency_key_conflict");
    }

    [Fact]
    public async Task TransferCredits_Moved_LogsBothUsersTheAmountAndBothBalances()
    {
        await using var services = Services();
        var (sender, recipient) = (await SenderWithAsync(services, 10), NewUser());

        await database.WithCreditsAsync(c => c.TransferCreditsAsync(sender, recipient, 4, "thanks"), services);

        var record = Assert.Single(logs.GetSnapshot(), r => r.Id.Id == 1501);
        Assert.Equal((LogLevel.Information, $"Transferred 4 credits from {sender} to {recipient}; balances 6 and 4"), (record.Level, record.Message));
    }

    [Fact]
    public async Task TransferCredits_Refused_LogsTheReason()
    {
        await using var services = Services();
        var (sender, recipient) = (NewUser(), NewUser());

        await database.WithCreditsAsync(c => c.TransferCreditsAsync(sender, recipient, 4, "broke"), services);

        var record = Assert.Single(logs.GetSnapshot(), r => r.Id.Id == 1502);
        Assert.Equal($"Transfer of 4 credits from {sender} to {recipient} refused: InsufficientCredits", record.Message);
    }

    [Fact]
    public async Task TransferCredits_Replay_LogsTheReplayNotASecondTransfer()
    {
        await using var services = Services();
        var sender = await SenderWithAsync(services, 10);
        var recipient = NewUser();
        await database.WithCreditsAsync(c => c.TransferCreditsAsync(sender, recipient, 2, "once", "key-r"), services);
        logs.Clear();

        await database.WithCreditsAsync(c => c.TransferCreditsAsync(sender, recipient, 2, "once", "key-r"), services);

        Assert.DoesNotContain(logs.GetSnapshot(), r => r.Id.Id == 1501);
        Assert.Equal($"Replayed the outcome stored for idempotency key key-r of {sender}", Assert.Single(logs.GetSnapshot(), r => r.Id.Id == 1004).Message);
    }

    [Fact]
    public async Task TransferCredits_KeyUsedForAnotherTransfer_LogsTheConflict()
    {
        await using var services = Services();
        var sender = await SenderWithAsync(services, 10);
        await database.WithCreditsAsync(c => c.TransferCreditsAsync(sender, NewUser(), 2, "first", "key-c"), services);

        await database.WithCreditsAsync(c => c.TransferCreditsAsync(sender, NewUser(), 3, "second", "key-c"), services);

        Assert.Equal($"Idempotency key key-c of {sender} was used for another request; refused as a conflict",
            Assert.Single(logs.GetSnapshot(), r => r.Id.Id == 1008).Message);
    }

    [Fact]
    public async Task TransferCredits_CommitAcknowledgementLost_LogsThatTheCommitWasSettledAsApplied()
    {
        var fault = new CommitFault();
        await using var services = Services(fault: fault);
        var sender = await SenderWithAsync(services, 10);
        fault.Arm(CommitFaultKind.AcknowledgementLost);

        var result = await database.WithCreditsAsync(c => c.TransferCreditsAsync(sender, NewUser(), 2, "lost ack"), services);

        Assert.Equal($"The commit of operation {result.TransferOutId} of {sender} failed, but it was applied: its stored outcome is returned",
            Assert.Single(logs.GetSnapshot(), r => r.Id.Id == 1009).Message);
    }

    [Fact]
    public async Task TransferCredits_CommitNeverArrived_LogsNoSettledCommit()
    {
        var fault = new CommitFault();
        await using var services = Services(fault: fault);
        var sender = await SenderWithAsync(services, 10);
        fault.Arm(CommitFaultKind.CommitNeverArrived);

        await Assert.ThrowsAsync<SimulatedDbException>(() => database.WithCreditsAsync(c => c.TransferCreditsAsync(sender, NewUser(), 2, "never"), services));

        Assert.DoesNotContain(logs.GetSnapshot(), r => r.Id.Id == 1009);
    }
}

public sealed class SqliteTransferObservabilityTests(SqliteCreditsDatabase database) : TransferObservabilityTests<SqliteCreditsDatabase>(database);

public sealed class PostgresTransferObservabilityTests(PostgresCreditsDatabase database) : TransferObservabilityTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbTransferObservabilityTests(MariaDbCreditsDatabase database) : TransferObservabilityTests<MariaDbCreditsDatabase>(database);
