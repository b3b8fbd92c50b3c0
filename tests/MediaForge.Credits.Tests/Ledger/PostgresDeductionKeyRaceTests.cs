using MediaForge.Credits.Storage;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Testing;

namespace MediaForge.Credits.Tests.Ledger;

/// <summary>
/// A grant that takes a deduction's key while the deduction is under way: the host grants inside its own transaction,
/// the deduction (same user, same key) starts right after the grant changed the account's row and waits on it, and the
/// grant commits. The deduction's statement read the keys before that commit, so the ledger's unique index refuses its
/// charge; the deduction then finds the key taken by a grant and answers the conflict at once, charging nothing, rather
/// than trying again.
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
        var next = new AnotherCallAfterTheNextWrite(database, "credits ");
        await using var services = database.BuildServices(database.ConnectionString, o => o.CoalesceDeductions = coalesce,
            configureContext: o => o.AddInterceptors(next), configureServices: s => s.AddLogsTo(logs));
        var user = "keyrace_" + Guid.NewGuid().ToString("N");
        await database.WithCreditsAsync(c => c.AddCreditsAsync(user, 100, CreditTransactionType.Purchase, "credits"), services);

        await using var host = services.CreateAsyncScope();
        await using var grant = await host.ServiceProvider.GetRequiredService<CreditsDbContext>().Database.BeginTransactionAsync();
        Task<CreditDeductionResult>? deduction = null;
        next.Call = () => deduction = database.WithCreditsAsync(
            c => c.DeductCreditsAsync(user, "video-generation", "hailuo", null, null, "shared"), services);
        await host.ServiceProvider.GetRequiredService<ICreditService>()
            .AddCreditsAsync(user, 10, CreditTransactionType.Bonus, "bonus", idempotencyKey: "shared");
        await grant.CommitAsync();
        await next.Started.WaitAsync(Patience);
        var result = await deduction!;

        Assert.Equal(CreditDeductionError.IdempotencyKeyConflict, result.Error);
        Assert.Equal((110L, 110L, 2), await database.ReadLedgerAsync(user, services));
        Assert.DoesNotContain(logs.GetSnapshot(), l => l.Id.Id == 1005);
    }
}
