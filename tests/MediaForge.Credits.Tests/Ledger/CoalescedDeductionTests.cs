using MediaForge.Credits.Entities;
using MediaForge.Credits.Ledger;
using MediaForge.Credits.Storage;
using MediaForge.Credits.Tests.Infrastructure;
using MediaForge.Credits.Tests.Torture;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace MediaForge.Credits.Tests.Ledger;

/// <summary>
/// Group commit (<see cref="CreditsOptions.CoalesceDeductions"/>): deductions that queue while another one is being
/// written share the next transaction, and each keeps its own outcome. The first deduction is held inside its
/// transaction (at its balance update) until the others have queued, so the batching is deterministic.
/// </summary>
public abstract partial class CoalescedDeductionTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private protected static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Deductions_QueuedWhileAnotherIsWritten_CommitTogetherInOneTransaction()
    {
        var (user, probe, services) = await StartAsync(credits: 300);

        var first = Deduct(services, user, "job-0");
        await probe.HeldAsync();
        var queued = Enumerable.Range(1, 10).Select(i => Deduct(services, user, "job-" + i)).ToList();
        await QueuedAsync(services, 10);
        probe.Release();
        var results = await Task.WhenAll([first, .. queued]).WaitAsync(Patience);

        Assert.All(results, r => Assert.True(r.Success));
        Assert.Equal(2, probe.Commits);
        Assert.Equal(Enumerable.Range(0, 11).Select(i => 300L - 3 * (i + 1)).Order(), results.Select(r => r.RemainingBalance).Order());
        Assert.Equal((267L, 267L, 12), await database.ReadLedgerAsync(user, services));
    }

    [Fact]
    public async Task QueuedDeductionsOfDifferentUsers_CommitTogether_EachWithItsOwnOutcome()
    {
        // An hour of its own, so the roll-up rows of that hour are this test's.
        var time = new FakeTimeProvider(new DateTimeOffset(2031, 1, 1, 0, 0, 0, TimeSpan.Zero).AddHours(Random.Shared.Next(100_000)).AddMinutes(30));
        string[] rich = ["rich0", "rich1", "rich2"], poor = ["poor0", "poor1"];
        var (holder, probe, services) = await StartAsync(credits: 300, time: time, seed: async (credits, user) =>
        {
            foreach (var name in rich)
            {
                await credits.AddCreditsAsync(user + name, 300, CreditTransactionType.Purchase, "credits");
            }

            foreach (var name in poor)
            {
                await credits.AddCreditsAsync(user + name, 2, CreditTransactionType.Purchase, "credits");
            }

            await credits.AddExpiringCreditsAsync(user + "lots", 10, CreditTransactionType.Bonus, "expiring", time.GetUtcNow().AddDays(1));
            await database.FlagAdminAsync(user + "admin");
        });

        var first = Deduct(services, holder, "job-0");
        await probe.HeldAsync();
        string[] names = [.. rich, .. poor, "lots", "admin", "rich0"];
        var queued = names.Select((name, i) => (Name: name, Task: Deduct(services, holder + name, "job-" + i))).ToList();
        await QueuedAsync(services, names.Length);
        probe.Release();
        await first.WaitAsync(Patience);
        var results = await Task.WhenAll(queued.Select(q => q.Task)).WaitAsync(Patience);

        Assert.Equal(2, probe.Commits);
        // rich0's two deductions (first and last) run in that user's order of arrival, which is not the order of the calls.
        Assert.Equal([294, 297], new[] { results[0].RemainingBalance, results[^1].RemainingBalance }.Order());
        Assert.Equal([297, 297, 2, 2, 7, 0], results[1..^1].Select(r => r.RemainingBalance));
        Assert.Equal([true, true, true, false, false, true, true, true], results.Select(r => r.Success));
        Assert.Equal([3, 3, 3, 0, 0, 3, 0, 3], results.Select(r => r.CreditsDeducted));
        Assert.Equal((294L, 294L, 3), await database.ReadLedgerAsync(holder + "rich0", services));
        Assert.True((await database.AuditAsync(holder)).IsConsistent);
        await database.WithContextAsync(async db =>
        {
            var logs = await db.UsageLogs.Where(u => u.UserId.StartsWith(holder)).ToListAsync();
            Assert.Equal(7, logs.Count);
            Assert.Equal([1, 2], logs.Where(u => u.UserId == holder + "rich0").Select(u => u.CumulativeUses ?? 0).Order());
            Assert.Equal(1, await db.Accounts.Where(a => a.UserId == holder + "lots").Select(a => a.UsageCount).SingleAsync());
            Assert.Equal(7, await db.Set<CreditGrant>().Where(g => g.UserId == holder + "lots").SumAsync(g => g.Remaining));
            var hour = CreditUsageHour.HourOf(time.GetUtcNow().UtcDateTime);
            var rolledUp = await db.Set<CreditUsageHour>().Where(h => h.HourStart == hour && !h.IsUnlimited).SumAsync(h => h.Credits);
            Assert.Equal(logs.Where(u => !u.IsUnlimited).Sum(u => u.CreditsUsed), rolledUp);
        });
    }

    [Fact]
    public async Task QueuedDeductionWithAKeyAlreadyUsed_ReplaysTheEarlierOutcome_AndChargesNothingMore()
    {
        CreditDeductionResult? done = null;
        var (holder, probe, services) = await StartAsync(credits: 300, seed: async (credits, user) =>
        {
            await credits.AddCreditsAsync(user + "_done", 300, CreditTransactionType.Purchase, "credits");
            done = await credits.DeductCreditsAsync(user + "_done", "image-generation", "default", idempotencyKey: "job-done");
        });

        var first = Deduct(services, holder, "job-0");
        await probe.HeldAsync();
        var replay = Deduct(services, holder + "_done", "job-done");
        var fresh = Deduct(services, holder + "_done", "job-new");
        await QueuedAsync(services, 2);
        probe.Release();
        await first.WaitAsync(Patience);

        var replayed = await replay.WaitAsync(Patience);
        Assert.True(replayed.IsReplay);
        Assert.Equal((done!.TransactionId, 297L), (replayed.TransactionId, replayed.RemainingBalance));
        Assert.Equal(294, (await fresh.WaitAsync(Patience)).RemainingBalance);
        Assert.Equal((2, 2), (probe.Starts, probe.Commits));
        Assert.Equal((294L, 294L, 3), await database.ReadLedgerAsync(holder + "_done", services));
        Assert.True((await database.AuditAsync(holder)).IsConsistent);
    }

    [Fact]
    public async Task QueuedDeductionsRepeatingAKey_ChargeOnce_AndTheSecondReplaysTheFirst()
    {
        var (holder, probe, services) = await StartAsync(credits: 300, seed: (credits, user) =>
            credits.AddCreditsAsync(user + "_twice", 300, CreditTransactionType.Purchase, "credits"));

        var first = Deduct(services, holder, "job-0");
        await probe.HeldAsync();
        var twice = new[] { Deduct(services, holder + "_twice", "job-twice"), Deduct(services, holder + "_twice", "job-twice") };
        await QueuedAsync(services, 2);
        probe.Release();
        await first.WaitAsync(Patience);
        var both = await Task.WhenAll(twice).WaitAsync(Patience);

        Assert.Equal(1, both.Count(r => r.IsReplay));
        Assert.Equal(both[0].TransactionId, both[1].TransactionId);
        Assert.Equal((2, 2), (probe.Starts, probe.Commits));
        Assert.Equal((297L, 297L, 2), await database.ReadLedgerAsync(holder + "_twice", services));
    }

    [Fact]
    public async Task QueuedDeductionsOfConfiguredAdminsOnly_AreLoggedUnlimited()
    {
        string[] admins = ["admin_" + Guid.NewGuid().ToString("N"), "admin_" + Guid.NewGuid().ToString("N")];
        var (holder, probe, services) = await StartAsync(credits: 300, configure: o =>
        {
            foreach (var admin in admins)
            {
                o.AdminUserIds.Add(admin);
            }
        });

        var first = Deduct(services, holder, "job-0");
        await probe.HeldAsync();
        var queued = admins.Select(admin => Deduct(services, admin, "job-admin")).ToList();
        await QueuedAsync(services, admins.Length);
        probe.Release();
        await first.WaitAsync(Patience);
        var results = await Task.WhenAll(queued).WaitAsync(Patience);

        Assert.All(results, r => Assert.True(r.Success && !r.IsReplay && r.CreditsDeducted == 0 && r.TransactionId is null));
        Assert.Equal(2, probe.Commits);
        foreach (var admin in admins)
        {
            Assert.Equal(1, await database.CountUsageAsync(admin));
        }
    }

    [Fact]
    public async Task Deductions_WithCoalescingOff_CommitOneTransactionEach()
    {
        var (user, probe, services) = await StartAsync(credits: 300, coalesce: false, hold: false);

        await Task.WhenAll(Enumerable.Range(0, 10).Select(i => Deduct(services, user, "job-" + i))).WaitAsync(Patience);

        Assert.Equal(10, probe.Commits);
        Assert.Equal((270L, 270L, 11), await database.ReadLedgerAsync(user, services));
    }

    [Fact]
    public async Task BatchedDeductions_BeyondTheBalance_AreRefusedEachOnItsOwn()
    {
        var (user, probe, services) = await StartAsync(credits: 9);

        var first = Deduct(services, user, "job-0");
        await probe.HeldAsync();
        var queued = Enumerable.Range(1, 5).Select(i => Deduct(services, user, "job-" + i)).ToList();
        await QueuedAsync(services, 5);
        probe.Release();
        var results = await Task.WhenAll([first, .. queued]).WaitAsync(Patience);

        Assert.Equal(3, results.Count(r => r.Success));
        Assert.Equal(3, results.Count(r => r.Error == CreditDeductionError.InsufficientCredits));
        Assert.Equal(2, probe.Commits);
        Assert.Equal((0L, 0L, 4), await database.ReadLedgerAsync(user, services));
        Assert.True((await database.AuditAsync(user)).IsConsistent);
    }

    [Fact]
    public async Task OneFailingDeductionInABatch_FailsAlone_AndTheOthersAreCharged()
    {
        var (user, probe, services) = await StartAsync(credits: 300, failKey: "job-3");

        var first = Deduct(services, user, "job-0");
        await probe.HeldAsync();
        var queued = Enumerable.Range(1, 5).Select(i => (Key: "job-" + i, Task: Deduct(services, user, "job-" + i))).ToList();
        await QueuedAsync(services, 5);
        probe.Release();
        await first.WaitAsync(Patience);

        await Assert.ThrowsAsync<InjectedFailureException>(() => queued.Single(q => q.Key == "job-3").Task.WaitAsync(Patience));
        var others = await Task.WhenAll(queued.Where(q => q.Key != "job-3").Select(q => q.Task)).WaitAsync(Patience);
        Assert.All(others, r => Assert.True(r.Success));
        Assert.Equal((285L, 285L, 6), await database.ReadLedgerAsync(user, services));
        Assert.True((await database.AuditAsync(user)).IsConsistent);
    }

    [Fact]
    public async Task QueuedDeduction_WhoseCallerCancels_IsWithdrawnAndChargesNothing()
    {
        var (user, probe, services) = await StartAsync(credits: 300);
        using var cancellation = new CancellationTokenSource();

        var first = Deduct(services, user, "job-0");
        await probe.HeldAsync();
        var withdrawn = Deduct(services, user, "job-1", cancellation.Token);
        await QueuedAsync(services, 1);
        await cancellation.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => withdrawn.WaitAsync(Patience));
        probe.Release();
        await first.WaitAsync(Patience);

        Assert.Equal((297L, 297L, 2), await database.ReadLedgerAsync(user, services));
    }

    [Fact]
    public async Task DeductionWithAKeyAGrantHolds_InABatch_IsAConflict_AndRollsBackNoBatch()
    {
        var (user, probe, services) = await StartAsync(credits: 300, seed: (credits, u) =>
            credits.AddCreditsAsync(u, 10, CreditTransactionType.Bonus, "gift", idempotencyKey: "shared-key"));

        var first = Deduct(services, user, "job-0");
        await probe.HeldAsync();
        var queued = new[] { Deduct(services, user, "job-1"), Deduct(services, user, "shared-key"), Deduct(services, user, "job-2") };
        await QueuedAsync(services, 3);
        probe.Release();
        var results = await Task.WhenAll([first, .. queued]).WaitAsync(Patience);

        Assert.Equal([true, true, false, true], results.Select(r => r.Success));
        Assert.Equal(CreditDeductionError.IdempotencyKeyConflict, results[2].Error);
        Assert.Equal((2, 2), (probe.Starts, probe.Commits));
        Assert.Equal((301L, 301L, 5), await database.ReadLedgerAsync(user, services));
    }

    private protected async Task<(string User, TransactionProbe Probe, ServiceProvider Services)> StartAsync(long credits, bool coalesce = true,
        string? failKey = null, bool hold = true, TimeProvider? time = null, Func<ICreditService, string, Task>? seed = null,
        Action<CreditsOptions>? configure = null, IInterceptor? observer = null, Action<IServiceCollection>? configureServices = null)
    {
        var user = "batch_" + Guid.NewGuid().ToString("N");
        var probe = new TransactionProbe(user, failKey, hold);
        var services = database.BuildServices(database.ConnectionString, o =>
        {
            o.CoalesceDeductions = coalesce;
            configure?.Invoke(o);
        }, time,
            configureContext: o => o.AddInterceptors([probe, probe.Commands, .. observer is null ? [] : new[] { observer }]), configureServices);
        await using (var scope = services.CreateAsyncScope())
        {
            var service = scope.ServiceProvider.GetRequiredService<ICreditService>();
            await service.AddCreditsAsync(user, credits, CreditTransactionType.Purchase, "credits");
            await (seed?.Invoke(service, user) ?? Task.CompletedTask);
        }

        probe.Arm();
        return (user, probe, services);
    }

    private protected static async Task<CreditDeductionResult> Deduct(IServiceProvider services, string user, string key, CancellationToken cancellationToken = default)
    {
        await using var scope = services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ICreditService>()
            .DeductCreditsAsync(user, "image-generation", "default", idempotencyKey: key, cancellationToken: cancellationToken);
    }

    private protected static async Task QueuedAsync(IServiceProvider services, int count)
    {
        var batcher = services.GetRequiredService<CreditDeductionBatcher>();
        using var deadline = new CancellationTokenSource(Patience);
        while (batcher.Queued < count)
        {
            await Task.Delay(5, deadline.Token);
        }
    }
}

public sealed class SqliteCoalescedDeductionTests(SqliteCreditsDatabase database) : CoalescedDeductionTests<SqliteCreditsDatabase>(database);

public sealed class MariaDbCoalescedDeductionTests(MariaDbCreditsDatabase database) : CoalescedDeductionTests<MariaDbCreditsDatabase>(database);
