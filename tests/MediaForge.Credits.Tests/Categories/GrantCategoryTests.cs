using MediaForge.Credits.Entities;
using MediaForge.Credits.Storage;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MediaForge.Credits.Tests.Categories;

/// <summary>
/// Grants get a category (by their type unless named) and its priority; balances report the split by category; a
/// category without a priority is refused before anything is written.
/// </summary>
public abstract class GrantCategoryTests<TDatabase>(TDatabase database) : BurnOrderTestsBase<TDatabase>(database), IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    [Theory]
    [InlineData(CreditTransactionType.Bonus, "promotional", 20)]
    [InlineData(CreditTransactionType.Adjustment, "promotional", 20)]
    public async Task AddCredits_TypeWithoutANamedCategory_GetsALotOfItsDefaultCategoryAndPriority(CreditTransactionType type, string category, int priority)
    {
        var user = NewUser();

        var grant = await Credits(c => c.AddCreditsAsync(user, 5, type, "grant"));

        Assert.Equal((category, priority, CreditGrant.NoExpiry), await LotOfAsync(grant.TransactionId));
    }

    [Theory]
    [InlineData(CreditTransactionType.Purchase)]
    [InlineData(CreditTransactionType.Refund)]
    public async Task AddCredits_PaidWithoutExpiry_WritesNoLot(CreditTransactionType type)
    {
        var user = NewUser();

        var grant = await Credits(c => c.AddCreditsAsync(user, 5, type, "grant"));

        Assert.Null(await LotOrNullAsync(grant.TransactionId));
        Assert.Null(await NextExpiryAsync(user));
    }

    [Fact]
    public async Task AddExpiringCredits_NamedCategory_GetsThatCategorysPriorityAndTheExpiry()
    {
        var user = NewUser();

        var grant = await Credits(c => c.AddExpiringCreditsAsync(user, 5, CreditTransactionType.Bonus, "plan", Start.AddDays(30), category: CreditCategory.Allowance));

        Assert.Equal(("allowance", 10, Start.AddDays(30).UtcDateTime), await LotOfAsync(grant.TransactionId));
    }

    [Fact]
    public async Task AddCredits_CategoryWithoutPriority_IsRefusedAndWritesNothing()
    {
        var user = NewUser();

        await Assert.ThrowsAsync<ArgumentException>(() => Credits(c => c.AddCreditsAsync(user, 5, CreditTransactionType.Bonus, "x", category: CreditCategory.From("unknown"))));

        Assert.Equal(0, (await Credits(c => c.GetBalanceAsync(user))).Balance);
    }

    [Fact]
    public async Task CompletePurchase_Pack_GrantsPaidCreditsWithoutALot()
    {
        var user = NewUser();
        await BuyProAsync(user);

        Assert.Equal(new Dictionary<string, long> { ["paid"] = 200 }, (await Credits(c => c.GetBalanceAsync(user))).Categories);
    }

    [Fact]
    public async Task ClaimFreePackage_Starter_GrantsPromotionalCredits()
    {
        var user = NewUser();

        await With<ICreditPurchaseService, FreePackageClaimResult>(p => p.ClaimFreePackageAsync(user, "starter"));

        var split = (await Credits(c => c.GetBalanceAsync(user))).Categories;
        Assert.Equal((50L, 0L), (split["promotional"], split["paid"]));
    }

    [Fact]
    public async Task GetBalance_EveryCategory_ReportsTheSplitThatAddsUpToTheBalance()
    {
        var user = await AccountOfEveryCategoryAsync();
        await Credits(c => c.DeductCreditsAsync(user, "video-generation", "veo2"));

        var balance = await Credits(c => c.GetBalanceAsync(user));

        Assert.Equal(new Dictionary<string, long> { ["trial"] = 5, ["promotional"] = 10, ["paid"] = 10 }, balance.Categories);
        Assert.Equal(25, balance.Balance);
    }

    [Fact]
    public async Task GetBalance_LapsedLotNotYetSwept_LeavesItOutOfTheSplit()
    {
        var user = await AccountOfEveryCategoryAsync();
        Clock.Advance(TimeSpan.FromDays(15));

        var balance = await Credits(c => c.GetBalanceAsync(user));

        Assert.Equal((30L, 0L), (balance.Balance, balance.Categories["promotional"]));
    }

    [Fact]
    public async Task GetBalance_NoCredits_ReportsZeroPaid()
    {
        Assert.Equal(new Dictionary<string, long> { ["paid"] = 0 }, (await Credits(c => c.GetBalanceAsync(NewUser()))).Categories);
    }

    [Fact]
    public async Task RefundPurchase_PackWithoutLot_TakesThePacksOwnPaidCreditsFirst()
    {
        var user = await AccountOfEveryCategoryAsync();
        var payment = await BuyProAsync(user);

        await With<ICreditPurchaseService, PurchaseReversalResult>(p => p.RecordRefundAsync(payment, 2999));

        Assert.Equal(Split(10, 10, 10, 10), await RemainingAsync(user));
    }

    [Fact]
    public async Task GrantAndDeduct_SameKeysDeliveredTwice_OneLotConsumedOnce()
    {
        var user = NewUser();
        var grants = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ =>
            Credits(c => c.AddExpiringCreditsAsync(user, 10, CreditTransactionType.Bonus, "plan", Start.AddDays(5), idempotencyKey: "plan-1", category: CreditCategory.Allowance))));
        await Credits(c => c.AddCreditsAsync(user, 10, CreditTransactionType.Purchase, "pack"));

        var deductions = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => Credits(c => c.DeductCreditsAsync(user, "map-animation", "hailuo", idempotencyKey: "job-1"))));

        Assert.Single(grants, g => !g.IsReplay);
        Assert.Single(deductions, d => d.Success && !d.IsReplay);
        Assert.Equal(new Dictionary<string, long> { ["allowance"] = 5, ["rest"] = 10 }, await RemainingAsync(user));
    }


    private async Task<(string, int, DateTime)> LotOfAsync(Guid transactionId) => (await LotOrNullAsync(transactionId))!.Value;

    private async Task<(string, int, DateTime)?> LotOrNullAsync(Guid transactionId)
    {
        await using var scope = Services.CreateAsyncScope();
        var lot = await scope.ServiceProvider.GetRequiredService<CreditsDbContext>().Grants.AsNoTracking()
            .Where(g => g.TransactionId == transactionId).Select(g => new { g.Category, g.Priority, g.ExpiresAt }).SingleOrDefaultAsync();
        return lot is null ? null : (lot.Category, lot.Priority, DateTime.SpecifyKind(lot.ExpiresAt, DateTimeKind.Utc));
    }

    private async Task<DateTime?> NextExpiryAsync(string user)
    {
        await using var scope = Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<CreditsDbContext>().Accounts.AsNoTracking()
            .Where(a => a.UserId == user).Select(a => a.NextExpiryAt).SingleAsync();
    }
}

public sealed class SqliteGrantCategoryTests(SqliteCreditsDatabase database) : GrantCategoryTests<SqliteCreditsDatabase>(database);

public sealed class PostgresGrantCategoryTests(PostgresCreditsDatabase database) : GrantCategoryTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbGrantCategoryTests(MariaDbCreditsDatabase database) : GrantCategoryTests<MariaDbCreditsDatabase>(database);
