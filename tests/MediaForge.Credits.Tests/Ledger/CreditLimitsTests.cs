using MediaForge.Credits.Storage;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MediaForge.Credits.Tests.Ledger;

/// <summary>
/// Every amount, balance and page is bounded (<see cref="CreditLimits"/>): a value outside the bounds is refused with an
/// <see cref="ArgumentException"/> that names it, and nothing is written; no arithmetic can wrap or saturate.
/// </summary>
public abstract class CreditLimitsTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    [Theory]
    [InlineData(long.MinValue)]
    [InlineData(-CreditLimits.MaxAmount - 1)]
    [InlineData(CreditLimits.MaxAmount + 1)]
    [InlineData(long.MaxValue)]
    public async Task AdjustCredits_AmountBeyondTheMaximum_IsRefused_AndChangesNothing(long amount)
    {
        var user = await UserWithAsync(5);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => database.WithCreditsAsync(c => c.AdjustCreditsAsync(user, amount, "fix", "ops")));

        Assert.Equal((5L, 5L, 1), await database.ReadLedgerAsync(user));
    }

    [Theory]
    [InlineData(CreditLimits.MaxAmount + 1)]
    [InlineData(long.MaxValue)]
    public async Task AddCredits_AmountBeyondTheMaximum_IsRefused(long amount)
    {
        var user = await UserWithAsync(5);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => database.WithCreditsAsync(c => c.AddCreditsAsync(user, amount, CreditTransactionType.Bonus, "huge")));

        Assert.Equal((5L, 5L, 1), await database.ReadLedgerAsync(user));
    }

    [Fact]
    public async Task AddCredits_TheMaximumAmount_IsGranted()
    {
        var user = await UserWithAsync(5);

        var grant = await database.WithCreditsAsync(c => c.AddCreditsAsync(user, CreditLimits.MaxAmount, CreditTransactionType.Purchase, "whale"));

        Assert.Equal(CreditLimits.MaxAmount + 5, grant.Balance);
    }

    [Fact]
    public async Task AddCredits_OverTheMaximumBalance_IsRefused_AndWritesNothing()
    {
        var user = await UserWithAsync(5);
        await database.WithContextAsync(db => db.Accounts.Where(a => a.UserId == user)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.Balance, CreditLimits.MaxBalance - 5)));

        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => database.WithCreditsAsync(c => c.AddCreditsAsync(user, 6, CreditTransactionType.Bonus, "one too many")));
        Assert.Contains($"over {CreditLimits.MaxBalance}", error.Message, StringComparison.Ordinal);
        var upToTheMaximum = await database.WithCreditsAsync(c => c.AddCreditsAsync(user, 5, CreditTransactionType.Bonus, "exactly enough"));

        Assert.Equal(CreditLimits.MaxBalance, upToTheMaximum.Balance);
        Assert.Equal(2, (await database.ReadLedgerAsync(user)).LedgerRows);
    }

    [Theory]
    [InlineData(0, 50)]
    [InlineData(CreditLimits.MaxPage + 1, 50)]
    [InlineData(int.MaxValue, 50)]
    [InlineData(int.MaxValue, 500)]
    [InlineData(1, 0)]
    [InlineData(1, CreditLimits.MaxPageSize + 1)]
    public async Task GetTransactions_PageOutsideTheBounds_IsRefused(int page, int pageSize)
    {
        var user = await UserWithAsync(5);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => database.WithCreditsAsync(c => c.GetTransactionsAsync(user, page, pageSize)));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => database.WithCreditsAsync(c => c.GetUsageAsync(user, page, pageSize)));
    }

    [Fact]
    public async Task GetTransactions_TheLastPageAllowed_IsEmpty()
    {
        var user = await UserWithAsync(5);

        var page = await database.WithCreditsAsync(c => c.GetTransactionsAsync(user, CreditLimits.MaxPage, CreditLimits.MaxPageSize));

        Assert.Equal((0, 1L), (page.Items.Count, page.TotalCount));
    }

    [Fact]
    public async Task DeductCredits_UserIdLongerThanTheModelAllows_IsRefused()
    {
        var user = new string('u', CreditLimits.MaxUserIdLength + 1);

        await Assert.ThrowsAnyAsync<ArgumentException>(() => database.WithCreditsAsync(c => c.DeductCreditsAsync(user, "image-generation", "default")));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => database.WithCreditsAsync(c => c.AddCreditsAsync(user, 5, CreditTransactionType.Bonus, "bonus")));
    }

    [Fact]
    public async Task DeductCredits_FeatureNameLongerThanTheModelAllows_IsRefused()
    {
        var user = await UserWithAsync(5);

        await Assert.ThrowsAnyAsync<ArgumentException>(() => database.WithCreditsAsync(c => c.DeductCreditsAsync(user, new string('f', CreditLimits.MaxNameLength + 1), "default")));
    }

    private async Task<string> UserWithAsync(long credits)
    {
        var user = "limits_" + Guid.NewGuid().ToString("N");
        await database.WithCreditsAsync(c => c.AddCreditsAsync(user, credits, CreditTransactionType.Purchase, "credits"));
        return user;
    }
}

public sealed class SqliteCreditLimitsTests(SqliteCreditsDatabase database) : CreditLimitsTests<SqliteCreditsDatabase>(database);

public sealed class PostgresCreditLimitsTests(PostgresCreditsDatabase database) : CreditLimitsTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbCreditLimitsTests(MariaDbCreditsDatabase database) : CreditLimitsTests<MariaDbCreditsDatabase>(database);
