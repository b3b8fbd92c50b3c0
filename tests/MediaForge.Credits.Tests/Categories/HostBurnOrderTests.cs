using MediaForge.Credits.Tests.Infrastructure;

namespace MediaForge.Credits.Tests.Categories;

/// <summary>
/// A host's own burn order (paid first: priority 5, then allowance, the host's trial, promotional), and a clawback that
/// takes the refunded pack's own credits first, then by that order.
/// </summary>
public abstract class HostBurnOrderTests<TDatabase>(TDatabase database) : BurnOrderTestsBase<TDatabase>(database), IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    protected override void Configure(CreditsOptions options) => options.CategoryPriorities["PAID"] = 5;

    [Fact]
    public async Task Deduct_HostPutsPaidFirst_TakesThePaidCreditsBeforeEveryLot()
    {
        var user = await AccountOfEveryCategoryAsync();

        await Credits(c => c.DeductCreditsAsync(user, "video-generation", "veo2"));

        Assert.Equal(Split(5, 10, 10, 0), await RemainingAsync(user));
    }

    [Fact]
    public async Task RefundPurchase_PacksOwnCreditsPartlySpent_TakesWhatIsLeftOfThemThenByTheBurnOrder()
    {
        var user = NewUser();
        await Credits(c => c.AddCreditsAsync(user, 100, CreditTransactionType.Bonus, "plan", category: CreditCategory.Allowance));
        await Credits(c => c.AddExpiringCreditsAsync(user, 100, CreditTransactionType.Bonus, "promo", Start.AddDays(10)));
        var payment = await BuyProAsync(user);
        await Credits(c => c.AdjustCreditsAsync(user, -150, "spent", "admin_1"));

        await With<ICreditPurchaseService, PurchaseReversalResult>(p => p.RecordRefundAsync(payment, 2999));

        // The pack's own 50 left, then allowance (priority 10) before the sooner-expiring promotional credits (20).
        Assert.Equal(new Dictionary<string, long> { ["allowance"] = 0, ["promotional"] = 50, ["rest"] = 0 }, await RemainingAsync(user));
    }
}

public sealed class SqliteHostBurnOrderTests(SqliteCreditsDatabase database) : HostBurnOrderTests<SqliteCreditsDatabase>(database);

public sealed class PostgresHostBurnOrderTests(PostgresCreditsDatabase database) : HostBurnOrderTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbHostBurnOrderTests(MariaDbCreditsDatabase database) : HostBurnOrderTests<MariaDbCreditsDatabase>(database);
