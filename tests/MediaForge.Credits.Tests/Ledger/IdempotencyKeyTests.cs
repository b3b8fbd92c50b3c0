using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace MediaForge.Credits.Tests.Ledger;

/// <summary>
/// An idempotency key carries the fingerprint of its request: the same key with the same request is a replay (nothing
/// moves, <see cref="CreditDeductionResult.IsReplay"/> set); with any other request it is a conflict, never a replay that
/// would let a new job run for free. Keys the library makes for itself live in their own namespace.
/// </summary>
public abstract class IdempotencyKeyTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private ServiceProvider? alone;

    /// <summary>Services without group commit: each deduction in a transaction of its own.</summary>
    private ServiceProvider Alone => alone ??= database.BuildServices(database.ConnectionString, o => o.CoalesceDeductions = false);

    private IServiceProvider Services(bool coalesce) => coalesce ? database.Services : Alone;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task DeductCredits_SameKeyAndRequest_IsAReplay(bool coalesce)
    {
        var user = await UserWithAsync(100);
        var first = await DeductAsync(user, "job-1", "a cat on a boat", new { duration = 30 }, coalesce);

        var again = await DeductAsync(user, "job-1", "a cat on a boat", new { duration = 30 }, coalesce);

        Assert.Equal(first with { IsReplay = true }, again);
        Assert.Equal((92L, 92L, 2), await database.ReadLedgerAsync(user));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task DeductCredits_AdminSameKeyAndRequest_IsAReplay_AndLogsTheUseOnce(bool coalesce)
    {
        var admin = "key_" + Guid.NewGuid().ToString("N");
        await database.FlagAdminAsync(admin);
        var first = await DeductAsync(admin, "job-1", "a cat on a boat", null, coalesce);

        var again = await DeductAsync(admin, "job-1", "a cat on a boat", null, coalesce);

        Assert.Equal(first with { IsReplay = true }, again);
        Assert.Equal(1, await database.CountUsageAsync(admin));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task DeductCredits_AdminWithTheKeyOfAGrant_IsAConflict_AndLogsNothing(bool coalesce)
    {
        var admin = "key_" + Guid.NewGuid().ToString("N");
        await database.FlagAdminAsync(admin);
        await database.WithCreditsAsync(c => c.AddCreditsAsync(admin, 5, CreditTransactionType.Bonus, "welcome", idempotencyKey: "job-1"));

        var use = await DeductAsync(admin, "job-1", "a cat on a boat", null, coalesce);

        Assert.Equal((false, CreditDeductionError.IdempotencyKeyConflict), (use.Success, use.Error));
        Assert.Equal(0, await database.CountUsageAsync(admin));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task DeductCredits_SameKeyAnotherPrompt_IsAConflict_AndChargesNothing(bool coalesce)
    {
        var user = await UserWithAsync(100);
        await DeductAsync(user, "job-1", "a cat on a boat", null, coalesce);

        var other = await DeductAsync(user, "job-1", "a dog on a train", null, coalesce);

        Assert.Equal((false, false, CreditDeductionError.IdempotencyKeyConflict, 0L), (other.Success, other.IsReplay, other.Error, other.CreditsDeducted));
        Assert.Equal((92L, 92L, 2), await database.ReadLedgerAsync(user));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task DeductCredits_SameKeyOtherMetadata_IsAConflict(bool coalesce)
    {
        var user = await UserWithAsync(100);
        await DeductAsync(user, "job-1", "prompt", new { duration = 30 }, coalesce);

        var other = await DeductAsync(user, "job-1", "prompt", new { duration = 60 }, coalesce);

        Assert.Equal(CreditDeductionError.IdempotencyKeyConflict, other.Error);
        Assert.Equal((92L, 92L, 2), await database.ReadLedgerAsync(user));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task DeductCredits_KeyAGrantHolds_IsAConflict_AndChargesNothing(bool coalesce)
    {
        var user = await UserWithAsync(100);
        await database.WithCreditsAsync(c => c.AddCreditsAsync(user, 10, CreditTransactionType.Bonus, "bonus", idempotencyKey: "shared"));

        var deduction = await DeductAsync(user, "shared", null, null, coalesce);

        Assert.Equal(CreditDeductionError.IdempotencyKeyConflict, deduction.Error);
        Assert.Equal((110L, 110L, 2), await database.ReadLedgerAsync(user));
    }

    [Fact]
    public async Task AddCredits_SameKeyAnotherDescription_IsAConflict()
    {
        var user = await UserWithAsync(100);
        await database.WithCreditsAsync(c => c.AddCreditsAsync(user, 10, CreditTransactionType.Bonus, "welcome", idempotencyKey: "bonus-1"));

        await Assert.ThrowsAsync<IdempotencyKeyConflictException>(() =>
            database.WithCreditsAsync(c => c.AddCreditsAsync(user, 10, CreditTransactionType.Bonus, "loyalty", idempotencyKey: "bonus-1")));

        Assert.Equal((110L, 110L, 2), await database.ReadLedgerAsync(user));
    }

    [Fact]
    public async Task AddCredits_SameKeyOtherMetadata_IsAConflict()
    {
        var user = await UserWithAsync(100);
        await database.WithCreditsAsync(c => c.AddCreditsAsync(user, 10, CreditTransactionType.Bonus, "welcome", new { campaign = "a" }, "bonus-1"));

        await Assert.ThrowsAsync<IdempotencyKeyConflictException>(() =>
            database.WithCreditsAsync(c => c.AddCreditsAsync(user, 10, CreditTransactionType.Bonus, "welcome", new { campaign = "b" }, "bonus-1")));
    }

    [Fact]
    public async Task AdjustCredits_SameKeyAnotherReason_IsAConflict_AndRemovesNothing()
    {
        var user = await UserWithAsync(100);
        await database.WithCreditsAsync(c => c.AdjustCreditsAsync(user, -10, "duplicate order", "ops", "fix-1"));

        var other = await database.WithCreditsAsync(c => c.AdjustCreditsAsync(user, -10, "abuse", "ops", "fix-1"));

        Assert.Equal((false, CreditDeductionError.IdempotencyKeyConflict), (other.Success, other.Error));
        Assert.Equal((90L, 90L, 2), await database.ReadLedgerAsync(user));
    }

    [Fact]
    public async Task AdjustCredits_SameKeyAndCorrection_IsAReplay()
    {
        var user = await UserWithAsync(100);
        var first = await database.WithCreditsAsync(c => c.AdjustCreditsAsync(user, -10, "duplicate order", "ops", "fix-1"));

        var again = await database.WithCreditsAsync(c => c.AdjustCreditsAsync(user, -10, "duplicate order", "ops", "fix-1"));

        Assert.Equal(first with { IsReplay = true }, again);
        Assert.Equal((90L, 90L, 2), await database.ReadLedgerAsync(user));
    }

    [Theory]
    [InlineData("mf:purchase:cs_1")]
    [InlineData("mf:refund:x")]
    [InlineData("mf:")]
    public async Task DeductCredits_KeyInTheLibrarysOwnNamespace_IsRefused(string key)
    {
        var user = await UserWithAsync(100);

        await Assert.ThrowsAnyAsync<ArgumentException>(() => DeductAsync(user, key, null, null, coalesce: true));

        Assert.Equal((100L, 100L, 1), await database.ReadLedgerAsync(user));
    }

    [Fact]
    public async Task CompletePurchase_AfterTheBuyerUsedItsSessionIdAsAKey_StillGrantsThePack()
    {
        var user = "buyer_" + Guid.NewGuid().ToString("N");
        var session = "cs_test_" + Guid.NewGuid().ToString("N");
        await database.WithCreditsAsync(c => c.AddCreditsAsync(user, 20, CreditTransactionType.Bonus, "bonus"));
        await DeductAsync(user, "purchase:" + session, null, null, coalesce: true);
        await DeductAsync(user, "mf_purchase:" + session, null, null, coalesce: true);

        var fulfilment = await PurchasesAsync(async p =>
        {
            var purchase = await p.StartPurchaseAsync(user, "pro", "stripe");
            await p.AttachSessionAsync(purchase.Id, session);
            return await p.CompletePurchaseAsync(session, 2999, "usd", "pro");
        });

        Assert.Equal(PurchaseFulfilmentOutcome.Completed, fulfilment.Outcome);
        Assert.Equal((204L, 204L, 4), await database.ReadLedgerAsync(user));
    }

    private async Task<string> UserWithAsync(long credits)
    {
        var user = "key_" + Guid.NewGuid().ToString("N");
        await database.WithCreditsAsync(c => c.AddCreditsAsync(user, credits, CreditTransactionType.Purchase, "credits"));
        return user;
    }

    private async Task<CreditDeductionResult> DeductAsync(string user, string key, string? prompt, object? metadata, bool coalesce)
    {
        await using var scope = Services(coalesce).CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ICreditService>()
            .DeductCreditsAsync(user, "video-generation", "hailuo", prompt, metadata, key);
    }

    private async Task<T> PurchasesAsync<T>(Func<ICreditPurchaseService, Task<T>> action)
    {
        await using var scope = database.Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<ICreditPurchaseService>());
    }
}

public sealed class SqliteIdempotencyKeyTests(SqliteCreditsDatabase database) : IdempotencyKeyTests<SqliteCreditsDatabase>(database);

public sealed class PostgresIdempotencyKeyTests(PostgresCreditsDatabase database) : IdempotencyKeyTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbIdempotencyKeyTests(MariaDbCreditsDatabase database) : IdempotencyKeyTests<MariaDbCreditsDatabase>(database);
