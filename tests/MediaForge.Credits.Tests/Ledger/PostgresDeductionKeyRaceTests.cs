using MediaForge.Credits.Storage;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Testing;

namespace MediaForge.Credits.Tests.Ledger;

/// <summary>
/// A grant that takes a deduction's key while the deduction is under way: the host grants inside its own transaction,
/// the deduction (same user, same key) waits on the account's row, and the grant commits. The deduction's statement
/// read the keys before that commit, so the ledger's unique index refuses its charge; the deduction then finds the key
/// taken by a grant and answers the conflict at once, charging nothing, rather than trying again.
/// </summary>
public sealed class PostgresDeductionKeyRaceTests(PostgresCreditsDatabase database) : IClassFixture<PostgresCreditsDatabase>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Deduct_WhileAGrantWithItsKeyCommits_IsAConflictWithoutAnotherAttempt_AndChargesNothing(bool coalesce)
    {
        var logs = new FakeLogCollector();
        await using var services = database.BuildServices(database.ConnectionString, o => o.CoalesceDeductions = coalesce,
            configureServices: s => s.AddLogsTo(logs));
        var user = "keyrace_" + Guid.NewGuid().ToString("N");
        await database.WithCreditsAsync(c => c.AddCreditsAsync(user, 100, CreditTransactionType.Purchase, "credits"), services);

        await using var host = services.CreateAsyncScope();
        await using var grant = await host.ServiceProvider.GetRequiredService<CreditsDbContext>().Database.BeginTransactionAsync();
        await host.ServiceProvider.GetRequiredService<ICreditService>()
            .AddCreditsAsync(user, 10, CreditTransactionType.Bonus, "bonus", idempotencyKey: "shared");
        var deduction = Task.Run(() => database.WithCreditsAsync(
            c => c.DeductCreditsAsync(user, "video-generation", "hailuo", null, null, "shared"), services));
        await WaitForALockWaitAsync(deduction);
        await grant.CommitAsync();
        var result = await deduction.WaitAsync(Patience);

        Assert.Equal(CreditDeductionError.IdempotencyKeyConflict, result.Error);
        Assert.Equal((110L, 110L, 2), await database.ReadLedgerAsync(user, services));
        Assert.DoesNotContain(logs.GetSnapshot(), l => l.Id.Id == 1005);
    }

    private async Task WaitForALockWaitAsync(Task deduction)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (await database.LockWaitsAsync() == 0)
        {
            Assert.False(deduction.IsCompleted, "The deduction ended before the grant committed: it never waited on the account's row.");
            Assert.True(DateTime.UtcNow < deadline, $"The deduction did not wait on a lock within {Patience}.");
            await Task.Delay(10);
        }
    }
}
