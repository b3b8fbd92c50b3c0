using MediaForge.Credits.Entities;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace MediaForge.Credits.Tests.Ledger;

public abstract class RefundAndAdjustmentTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private static string NewUser() => "user_" + Guid.NewGuid().ToString("N");

    private async Task<T> Credits<T>(Func<ICreditService, Task<T>> action)
    {
        await using var scope = database.Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<ICreditService>());
    }

    private async Task AssertLedgerAsync(string user, long balance)
    {
        var (actual, sum, _) = await database.ReadLedgerAsync(user);
        Assert.Equal((balance, balance), (actual, sum));
    }

    [Fact]
    public async Task RefundUsage_FailedJob_GivesTheCreditsBackLinkedToTheCharge()
    {
        var user = NewUser();
        await Credits(c => c.AddCreditsAsync(user, 20, CreditTransactionType.Purchase, "test"));
        var charge = await Credits(c => c.DeductCreditsAsync(user, "video-generation", "veo2"));

        var refund = await Credits(c => c.RefundUsageAsync(charge.TransactionId!.Value, "the render failed"));

        Assert.Equal(20, refund.Balance);
        var row = (await Credits(c => c.GetTransactionsAsync(user))).Items[0];
        Assert.Equal((15L, CreditTransactionType.Refund, charge.TransactionId.ToString()), (row.Amount, row.Type, row.Reference));
        await AssertLedgerAsync(user, 20);
    }

    [Fact]
    public async Task RefundUsage_Twice_RefundsOnce()
    {
        var user = NewUser();
        await Credits(c => c.AddCreditsAsync(user, 20, CreditTransactionType.Purchase, "test"));
        var charge = await Credits(c => c.DeductCreditsAsync(user, "video-generation", "veo2"));

        await Credits(c => c.RefundUsageAsync(charge.TransactionId!.Value, "failed"));
        var second = await Credits(c => c.RefundUsageAsync(charge.TransactionId!.Value, "failed"));

        Assert.True(second.IsReplay);
        await AssertLedgerAsync(user, 20);
    }

    [Fact]
    public async Task RefundUsage_TwentyAtOnce_RefundsOnce()
    {
        var user = NewUser();
        await Credits(c => c.AddCreditsAsync(user, 20, CreditTransactionType.Purchase, "test"));
        var charge = await Credits(c => c.DeductCreditsAsync(user, "video-generation", "veo2"));

        var refunds = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => Credits(c => c.RefundUsageAsync(charge.TransactionId!.Value, "failed")))));

        Assert.Single(refunds, r => !r.IsReplay);
        await AssertLedgerAsync(user, 20);
    }

    [Fact]
    public async Task RefundUsage_NotAUsageCharge_ThrowsNamingTheId()
    {
        var user = NewUser();
        var grant = await Credits(c => c.AddCreditsAsync(user, 20, CreditTransactionType.Purchase, "test"));

        var error = await Assert.ThrowsAsync<ArgumentException>(() => Credits(c => c.RefundUsageAsync(grant.TransactionId, "nope")));

        Assert.Contains(grant.TransactionId.ToString(), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RefundUsage_OfAFreeUse_IsNotAChargeAndThrowsNamingTheId()
    {
        var user = NewUser();
        var feature = "free-" + Guid.NewGuid().ToString("N")[..12];
        await database.WithContextAsync(async db =>
        {
            db.FeaturePricing.Add(new FeaturePrice { Feature = feature, Model = "default", Credits = 0, CreatedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow });
            await db.SaveChangesAsync();
        });
        await Credits(c => c.AddCreditsAsync(user, 5, CreditTransactionType.Purchase, "test"));
        var use = await Credits(c => c.DeductCreditsAsync(user, feature, "default"));

        var error = await Assert.ThrowsAsync<ArgumentException>(() => Credits(c => c.RefundUsageAsync(use.TransactionId!.Value, "nope")));

        Assert.Equal("transactionId", error.ParamName);
        await AssertLedgerAsync(user, 5);
    }

    [Fact]
    public async Task AdjustCredits_Positive_AddsAndRecordsTheActor()
    {
        var user = NewUser();

        var result = await Credits(c => c.AdjustCreditsAsync(user, 25, "goodwill after an outage", "admin_alice"));

        Assert.True(result.Success);
        var row = (await Credits(c => c.GetTransactionsAsync(user))).Items.Single();
        Assert.Equal((25L, CreditTransactionType.Adjustment), (row.Amount, row.Type));
        Assert.Contains("admin_alice", row.Metadata, StringComparison.Ordinal);
        await AssertLedgerAsync(user, 25);
    }

    [Fact]
    public async Task AdjustCredits_Negative_RemovesCredits()
    {
        var user = NewUser();
        await Credits(c => c.AddCreditsAsync(user, 30, CreditTransactionType.Purchase, "test"));

        var result = await Credits(c => c.AdjustCreditsAsync(user, -12, "duplicate grant", "admin_bob"));

        Assert.Equal((true, 18L), (result.Success, result.Balance));
        await AssertLedgerAsync(user, 18);
    }

    [Fact]
    public async Task AdjustCredits_RemovingMoreThanAvailable_IsRefusedAndWritesNothing()
    {
        var user = NewUser();
        await Credits(c => c.AddCreditsAsync(user, 10, CreditTransactionType.Purchase, "test"));

        var result = await Credits(c => c.AdjustCreditsAsync(user, -11, "too much", "admin_bob"));

        Assert.Equal((false, CreditDeductionError.InsufficientCredits, 10L), (result.Success, result.Error, result.Balance));
        await AssertLedgerAsync(user, 10);
    }

    [Fact]
    public async Task AdjustCredits_Zero_Throws()
    {
        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Credits(c => c.AdjustCreditsAsync(NewUser(), 0, "x", "admin")));

        Assert.Equal("amount", error.ParamName);
    }
}

public sealed class SqliteRefundAndAdjustmentTests(SqliteCreditsDatabase database) : RefundAndAdjustmentTests<SqliteCreditsDatabase>(database);

public sealed class PostgresRefundAndAdjustmentTests(PostgresCreditsDatabase database) : RefundAndAdjustmentTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbRefundAndAdjustmentTests(MariaDbCreditsDatabase database) : RefundAndAdjustmentTests<MariaDbCreditsDatabase>(database);
