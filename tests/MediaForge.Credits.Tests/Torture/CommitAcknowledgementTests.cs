using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Testing;

namespace MediaForge.Credits.Tests.Torture;

/// <summary>
/// A failed COMMIT is ambiguous: the database may have applied the operation and lost only the acknowledgement. Every
/// mutation carries an operation id (the id of the row it writes, chosen before its first attempt), so such a failure
/// is settled by looking it up, never by applying the operation again; a commit that did not apply is not retried
/// blindly either. With and without an idempotency key, alone and in a batch (group commit).
/// </summary>
public abstract class CommitAcknowledgementTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    public static TheoryData<bool, bool> CoalescedAndKeyed => new() { { false, false }, { false, true }, { true, false }, { true, true } };

    [Theory]
    [MemberData(nameof(CoalescedAndKeyed))]
    public async Task DeductCredits_CommitAcknowledgementLost_ChargesOnce_AndReturnsThatCharge(bool coalesce, bool keyed)
    {
        var (user, fault, services) = await StartAsync(100, coalesce);

        fault.Arm(CommitFaultKind.AcknowledgementLost);
        var result = await DeductAsync(services, user, keyed ? "job-1" : null);

        Assert.Equal(1, fault.Struck);
        Assert.Equal((true, false, 8L, 92L), (result.Success, result.IsReplay, result.CreditsDeducted, result.RemainingBalance));
        Assert.Equal((92L, 92L, 2), await database.ReadLedgerAsync(user));
        Assert.Equal(1, await database.CountUsageAsync(user));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task DeductCredits_CommitNeverArrived_IsNotRetried_ChargesNothing(bool coalesce)
    {
        var logs = new FakeLogCollector();
        var (user, fault, services) = await StartAsync(100, coalesce, logs);

        fault.Arm(CommitFaultKind.CommitNeverArrived);
        await Assert.ThrowsAsync<SimulatedDbException>(() => DeductAsync(services, user, null));

        Assert.Equal((100L, 100L, 1), await database.ReadLedgerAsync(user));
        Assert.Equal(0, await database.CountUsageAsync(user));
        // Not applied: nothing is said to be settled.
        Assert.DoesNotContain(logs.GetSnapshot(), l => l.Id.Id == 1009);
    }

    [Fact]
    public async Task DeductCredits_CommitNeverArrived_RetriedWithItsKey_ChargesOnce()
    {
        var (user, fault, services) = await StartAsync(100, coalesce: true);
        fault.Arm(CommitFaultKind.CommitNeverArrived);
        await Assert.ThrowsAsync<SimulatedDbException>(() => DeductAsync(services, user, "job-1"));

        var retry = await DeductAsync(services, user, "job-1");

        Assert.Equal((true, false, 92L), (retry.Success, retry.IsReplay, retry.RemainingBalance));
        Assert.Equal((92L, 92L, 2), await database.ReadLedgerAsync(user));
    }

    [Fact]
    public async Task DeductCredits_BatchCommitAcknowledgementLost_ChargesEveryCallerOnce()
    {
        var (user, fault, services) = await StartAsync(100, coalesce: true);

        fault.Arm(CommitFaultKind.AcknowledgementLost);
        var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => DeductAsync(services, user, i % 2 == 0 ? null : "job-" + i)));

        Assert.Equal(1, fault.Struck);
        Assert.All(results, r => Assert.True(r.Success && !r.IsReplay));
        Assert.Equal(Enumerable.Range(1, 10).Select(i => 100L - 8 * i), results.Select(r => r.RemainingBalance).Order().Reverse());
        Assert.Equal((20L, 20L, 11), await database.ReadLedgerAsync(user));
        Assert.Equal(10, await database.CountUsageAsync(user));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AddCredits_CommitAcknowledgementLost_GrantsOnce_AndReturnsThatGrant(bool keyed)
    {
        var (user, fault, services) = await StartAsync(100, coalesce: true);

        fault.Arm(CommitFaultKind.AcknowledgementLost);
        var result = await database.WithCreditsAsync(c => c.AddCreditsAsync(user, 10, CreditTransactionType.Bonus, "bonus",
            idempotencyKey: keyed ? "bonus-1" : null), services);

        Assert.Equal(1, fault.Struck);
        Assert.Equal((110L, false), (result.Balance, result.IsReplay));
        Assert.Equal((110L, 110L, 2), await database.ReadLedgerAsync(user));
    }

    [Fact]
    public async Task AddCredits_CommitNeverArrived_IsNotRetried_GrantsNothing()
    {
        var (user, fault, services) = await StartAsync(100, coalesce: true);

        fault.Arm(CommitFaultKind.CommitNeverArrived);
        await Assert.ThrowsAsync<SimulatedDbException>(() => database.WithCreditsAsync(c => c.AddCreditsAsync(user, 10, CreditTransactionType.Bonus, "bonus"), services));

        Assert.Equal((100L, 100L, 1), await database.ReadLedgerAsync(user));
    }

    [Fact]
    public async Task AdjustCredits_RemovalCommitAcknowledgementLost_RemovesOnce()
    {
        var (user, fault, services) = await StartAsync(100, coalesce: true);

        fault.Arm(CommitFaultKind.AcknowledgementLost);
        var result = await database.WithCreditsAsync(c => c.AdjustCreditsAsync(user, -30, "chargeback", "ops"), services);

        Assert.Equal(1, fault.Struck);
        Assert.Equal((true, 70L), (result.Success, result.Balance));
        Assert.Equal((70L, 70L, 2), await database.ReadLedgerAsync(user));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task DeductCredits_CrashBetweenStatements_IsRetried_AndChargesOnce(bool coalesce)
    {
        var (user, fault, services) = await StartAsync(100, coalesce);

        fault.Arm(CommitFaultKind.CrashBetweenStatements);
        var result = await DeductAsync(services, user, null);

        Assert.Equal(1, fault.Struck);
        Assert.Equal((true, 92L), (result.Success, result.RemainingBalance));
        Assert.Equal((92L, 92L, 2), await database.ReadLedgerAsync(user));
    }

    private async Task<(string User, CommitFault Fault, IServiceProvider Services)> StartAsync(long credits, bool coalesce, FakeLogCollector? logs = null)
    {
        var user = "ack_" + Guid.NewGuid().ToString("N");
        var fault = new CommitFault();
        var services = database.BuildServices(database.ConnectionString, o => o.CoalesceDeductions = coalesce,
            configureContext: o => o.AddInterceptors(fault, fault.Commands), configureServices: s => s.AddLogsTo(logs ?? new FakeLogCollector()));
        await database.WithCreditsAsync(c => c.AddCreditsAsync(user, credits, CreditTransactionType.Purchase, "credits"), services);
        return (user, fault, services);
    }

    private static async Task<CreditDeductionResult> DeductAsync(IServiceProvider services, string user, string? key)
    {
        await using var scope = services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ICreditService>()
            .DeductCreditsAsync(user, "video-generation", "hailuo", idempotencyKey: key);
    }
}

public sealed class SqliteCommitAcknowledgementTests(SqliteCreditsDatabase database) : CommitAcknowledgementTests<SqliteCreditsDatabase>(database);

public sealed class PostgresCommitAcknowledgementTests(PostgresCreditsDatabase database) : CommitAcknowledgementTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbCommitAcknowledgementTests(MariaDbCreditsDatabase database) : CommitAcknowledgementTests<MariaDbCreditsDatabase>(database);
