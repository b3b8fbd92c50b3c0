using MediaForge.Credits.Entities;
using MediaForge.Credits.Storage;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MediaForge.Credits.Tests.Categories;

/// <summary>
/// One burn rule for every debit: priority (allowance 10, the host's trial 15, promotional 20, paid 30), then soonest
/// expiry, then oldest; deductions, captures and transfers alike.
/// </summary>
public abstract class BurnOrderTests<TDatabase>(TDatabase database) : BurnOrderTestsBase<TDatabase>(database), IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    [Fact]
    public async Task Deduct_EveryCategory_TakesAllowanceThenTheHostsTrialThenPromotionalThenPaid()
    {
        var user = await AccountOfEveryCategoryAsync();

        // 3 deductions of 10 (map-animation/veo2): allowance, trial, promotional; the paid rest stays.
        for (var i = 0; i < 3; i++)
        {
            Assert.True((await Credits(c => c.DeductCreditsAsync(user, "map-animation", "veo2"))).Success);
        }

        Assert.Equal(Split(0, 0, 0, 10), await RemainingAsync(user));
    }

    [Fact]
    public async Task Deduct_AcrossCategories_TakesThePartOfTheNextCategoryOnlyWhenTheFirstIsEmpty()
    {
        var user = await AccountOfEveryCategoryAsync();

        await Credits(c => c.DeductCreditsAsync(user, "video-generation", "veo2"));

        Assert.Equal(Split(0, 5, 10, 10), await RemainingAsync(user));
    }

    [Fact]
    public async Task Deduct_SamePriority_TakesTheSoonestExpiryFirst()
    {
        var user = NewUser();
        await Credits(c => c.AddExpiringCreditsAsync(user, 4, CreditTransactionType.Bonus, "later", Start.AddDays(20)));
        await Credits(c => c.AddExpiringCreditsAsync(user, 4, CreditTransactionType.Bonus, "sooner", Start.AddDays(10)));
        await Credits(c => c.AddCreditsAsync(user, 4, CreditTransactionType.Bonus, "never"));

        await Credits(c => c.DeductCreditsAsync(user, "map-animation", "hailuo"));

        Assert.Equal([(Start.AddDays(20).UtcDateTime, 3L), (CreditGrant.NoExpiry, 4L)], await LotsAsync(user));
    }

    [Fact]
    public async Task Deduct_SamePriorityAndExpiry_TakesTheOldestFirst()
    {
        var user = NewUser();
        await Credits(c => c.AddCreditsAsync(user, 4, CreditTransactionType.Bonus, "older"));
        Clock.Advance(TimeSpan.FromMinutes(1));
        await Credits(c => c.AddCreditsAsync(user, 4, CreditTransactionType.Bonus, "newer"));

        await Credits(c => c.DeductCreditsAsync(user, "map-animation", "hailuo"));

        await using var scope = Services.CreateAsyncScope();
        var lots = await scope.ServiceProvider.GetRequiredService<CreditsDbContext>().Grants.AsNoTracking()
            .Where(g => g.UserId == user).OrderBy(g => g.CreatedAt).Select(g => g.Remaining).ToListAsync();
        Assert.Equal([0L, 3L], lots);
    }

    [Fact]
    public async Task Deduct_SamePriorityExpiryAndInstant_TakesTheLotOfTheLowerIdFirst()
    {
        var user = NewUser();
        await Credits(c => c.AddCreditsAsync(user, 4, CreditTransactionType.Bonus, "one"));
        await Credits(c => c.AddCreditsAsync(user, 4, CreditTransactionType.Bonus, "another, the same instant"));

        await Credits(c => c.DeductCreditsAsync(user, "map-animation", "hailuo"));

        await using var scope = Services.CreateAsyncScope();
        var lots = await scope.ServiceProvider.GetRequiredService<CreditsDbContext>().Grants.AsNoTracking()
            .Where(g => g.UserId == user).Select(g => new { g.Id, g.Remaining }).ToListAsync();
        Assert.Equal([0L, 3L], lots.OrderBy(g => g.Id).Select(g => g.Remaining));
    }

    [Fact]
    public async Task Deduct_PaidWithAnExpiry_TakesItBeforeThePaidCreditsThatNeverExpire()
    {
        var user = NewUser();
        await Credits(c => c.AddCreditsAsync(user, 10, CreditTransactionType.Purchase, "forever"));
        await Credits(c => c.AddExpiringCreditsAsync(user, 4, CreditTransactionType.Purchase, "expiring pack", Start.AddDays(30)));

        await Credits(c => c.DeductCreditsAsync(user, "image-generation", "default"));

        Assert.Equal(new Dictionary<string, long> { ["paid"] = 1, ["rest"] = 10 }, await RemainingAsync(user));
    }

    [Fact]
    public async Task Capture_EveryCategory_TakesTheHeldCreditsByTheBurnRule()
    {
        var user = await AccountOfEveryCategoryAsync();
        var hold = await With<ICreditReservationService, CreditReservationResult>(h => h.ReserveCreditsAsync(user, "video-generation", "veo2", amount: 25));

        await With<ICreditReservationService, CreditReservationSettlement>(h => h.CaptureReservationAsync(hold.ReservationId!.Value));

        Assert.Equal(Split(0, 0, 5, 10), await RemainingAsync(user));
    }

    [Fact]
    public async Task Transfer_EveryCategory_TakesByTheBurnRuleAndTheRecipientKeepsCategoriesAndExpiry()
    {
        var (sender, recipient) = (await AccountOfEveryCategoryAsync(), NewUser());

        Assert.True((await Credits(c => c.TransferCreditsAsync(sender, recipient, 35, "move"))).Success);

        Assert.Equal(Split(0, 0, 0, 5), await RemainingAsync(sender));
        Assert.Equal(Split(10, 10, 10, 5), await RemainingAsync(recipient));
        var received = (await LotsAsync(recipient)).Select(l => l.ExpiresAt).Order();
        Assert.Equal([Start.AddDays(10).UtcDateTime, Start.AddDays(20).UtcDateTime, CreditGrant.NoExpiry], received);
    }

    [Fact]
    public async Task Transfer_EveryCategory_WritesOneTransferInRowPerCategoryAndExpiry()
    {
        var (sender, recipient) = (await AccountOfEveryCategoryAsync(), NewUser());

        await Credits(c => c.TransferCreditsAsync(sender, recipient, 35, "move"));

        var rows = (await Credits(c => c.GetTransactionsAsync(recipient))).Items;
        Assert.Equal([5L, 10L, 10L, 10L], rows.Select(r => r.Amount).Order());
    }

    [Fact]
    public async Task Transfer_PaidBurnedFirstButTheSenderHasNoPaidCredits_WritesNoRowForThem()
    {
        await using var paidFirst = Database.BuildServices(Database.ConnectionString, o => o.CategoryPriorities[CreditCategory.Paid.Name] = 1, time: Clock);
        var (sender, recipient) = (NewUser(), NewUser());
        await Credits(c => c.AddExpiringCreditsAsync(sender, 10, CreditTransactionType.Bonus, "promotional", Start.AddDays(10)), paidFirst);

        Assert.True((await Credits(c => c.TransferCreditsAsync(sender, recipient, 4, "move"), paidFirst)).Success);

        var rows = (await Credits(c => c.GetTransactionsAsync(recipient), paidFirst)).Items;
        Assert.Equal([4L], rows.Select(r => r.Amount));
    }

    [Fact]
    public async Task NegativeAdjustment_EveryCategory_TakesByTheBurnRule()
    {
        var user = await AccountOfEveryCategoryAsync();

        await Credits(c => c.AdjustCreditsAsync(user, -15, "correction", "admin_1"));

        Assert.Equal(Split(0, 5, 10, 10), await RemainingAsync(user));
    }

    [Fact]
    public async Task Deduct_AfterTheSoonerLotLapsed_LapsesItAndTakesByTheBurnRuleFromWhatIsLeft()
    {
        var user = await AccountOfEveryCategoryAsync();
        Clock.Advance(TimeSpan.FromDays(15));

        await Credits(c => c.DeductCreditsAsync(user, "map-animation", "veo2"));

        Assert.Equal(Split(0, 10, 0, 10), await RemainingAsync(user));
    }

    private async Task<List<(DateTime ExpiresAt, long Remaining)>> LotsAsync(string user)
    {
        await using var scope = Services.CreateAsyncScope();
        var lots = await scope.ServiceProvider.GetRequiredService<CreditsDbContext>().Grants.AsNoTracking()
            .Where(g => g.UserId == user && g.Remaining > 0).OrderBy(g => g.ExpiresAt).Select(g => new { g.ExpiresAt, g.Remaining }).ToListAsync();
        return [.. lots.Select(l => (DateTime.SpecifyKind(l.ExpiresAt, DateTimeKind.Utc), l.Remaining))];
    }
}

public sealed class SqliteBurnOrderTests(SqliteCreditsDatabase database) : BurnOrderTests<SqliteCreditsDatabase>(database);

public sealed class PostgresBurnOrderTests(PostgresCreditsDatabase database) : BurnOrderTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbBurnOrderTests(MariaDbCreditsDatabase database) : BurnOrderTests<MariaDbCreditsDatabase>(database);
