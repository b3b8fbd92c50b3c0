using MediaForge.Credits.Storage;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MediaForge.Credits.Tests.Categories;

/// <summary>
/// Concurrent debits over lots of several categories: whatever the interleaving (group commit or one transaction each),
/// no lot and no account is overdrawn, the lots never hold more than the balance, and equal debits leave the lots the
/// burn rule says.
/// </summary>
public abstract class BurnOrderRaceTests<TDatabase>(TDatabase database) : BurnOrderTestsBase<TDatabase>(database), IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Deduct_ThirtyConcurrentOverEveryCategory_TakesAllowanceTrialAndPromotionalAndLeavesThePaidCredits(bool coalesce)
    {
        var services = ServicesWithTrial(coalesce);
        var user = await RichAccountAsync(services);

        var results = await DeductConcurrentlyAsync(user, 30, services);

        Assert.All(results, r => Assert.True(r.Success));
        Assert.Equal(Split(0, 0, 0, 30), await RemainingAsync(user, services));
        await AssertNothingOverdrawnAsync(user, services);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Deduct_FiftyConcurrentForFortyDebits_ExactlyFortySucceedAndEveryLotEndsEmpty(bool coalesce)
    {
        var services = ServicesWithTrial(coalesce);
        var user = await RichAccountAsync(services);

        var results = await DeductConcurrentlyAsync(user, 50, services);

        Assert.Equal(40, results.Count(r => r.Success));
        Assert.Equal(Split(0, 0, 0, 0), await RemainingAsync(user, services));
        await AssertNothingOverdrawnAsync(user, services);
    }

    private IServiceProvider ServicesWithTrial(bool coalesce) => Database.BuildServices(Database.ConnectionString, o =>
    {
        o.CategoryPriorities[Trial.Name] = 15;
        o.CoalesceDeductions = coalesce;
    }, time: Clock);

    private Task<CreditDeductionResult[]> DeductConcurrentlyAsync(string user, int count, IServiceProvider services) =>
        Task.WhenAll(Enumerable.Range(0, count).Select(_ => Credits(c => c.DeductCreditsAsync(user, "image-generation", "default"), services)));

    [Fact]
    public async Task TransferAndDeduct_RacingOverEveryCategory_NeverOverdrawALotAndKeepTheLotsWithinTheBalance()
    {
        var (user, recipient) = (await RichAccountAsync(Services), NewUser());

        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => i % 2 == 0
            ? (Task)Credits(c => c.DeductCreditsAsync(user, "map-animation", "hailuo"))
            : Credits(c => c.TransferCreditsAsync(user, recipient, 4, "share"))));

        // 50 spent and 40 sent, all from the lots (90): the paid credits stay; the recipient got lots only.
        await AssertNothingOverdrawnAsync(user, Services);
        await AssertNothingOverdrawnAsync(recipient, Services);
        Assert.Equal(Split(0, 0, 0, 30), await RemainingAsync(user));
        var received = await RemainingAsync(recipient);
        Assert.Equal((40L, 0L), (received.Values.Sum(), received["rest"]));
    }

    /// <summary>120 credits: allowance 30 expiring in 20 days, trial 30, promotional 30 expiring in 10 days, paid 30.</summary>
    private async Task<string> RichAccountAsync(IServiceProvider services)
    {
        var user = NewUser();
        for (var i = 0; i < 3; i++)
        {
            await AccountOfEveryCategoryAsync(user, services);
        }

        return user;
    }

    private static async Task AssertNothingOverdrawnAsync(string user, IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CreditsDbContext>();
        var lots = await db.Grants.AsNoTracking().Where(g => g.UserId == user).Select(g => new { g.Amount, g.Remaining }).ToListAsync();
        var account = await db.Accounts.AsNoTracking().SingleAsync(a => a.UserId == user);
        var ledger = (await db.Transactions.AsNoTracking().Where(t => t.UserId == user).Select(t => t.Amount).ToListAsync()).Sum();
        Assert.All(lots, l => Assert.InRange(l.Remaining, 0, l.Amount));
        Assert.Equal(account.Balance, ledger);
        Assert.InRange(lots.Sum(l => l.Remaining), 0, account.Balance);
        Assert.True(account.Balance - account.Reserved >= 0);
    }
}

public sealed class SqliteBurnOrderRaceTests(SqliteCreditsDatabase database) : BurnOrderRaceTests<SqliteCreditsDatabase>(database);

public sealed class PostgresBurnOrderRaceTests(PostgresCreditsDatabase database) : BurnOrderRaceTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbBurnOrderRaceTests(MariaDbCreditsDatabase database) : BurnOrderRaceTests<MariaDbCreditsDatabase>(database);
