using MediaForge.Credits.Entities;
using MediaForge.Credits.Storage;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace MediaForge.Credits.Tests.Ledger;

/// <summary>
/// The arguments of grants, expiring grants, corrections and usage refunds: refused before anything is written, naming
/// the argument; and what the rows they write say (a description cut to its maximum, a refund's description and key).
/// </summary>
public abstract class GrantArgumentTests<TDatabase>(TDatabase database) : LedgerTestsBase<TDatabase>(database)
    where TDatabase : CreditsDatabase
{
    [Theory]
    [InlineData(" ", "fix", "ops", "userId")]
    [InlineData(null, " ", "ops", "reason")]
    [InlineData(null, "fix", " ", "actor")]
    public async Task AdjustCredits_RemovalWithABlankUserReasonOrActor_IsRefusedNamingIt_AndRemovesNothing(string? user, string reason, string actor, string argument)
    {
        var funded = NewUser();
        await GrantAsync(funded, 20);

        var error = await Assert.ThrowsAnyAsync<ArgumentException>(() => WithCreditsAsync(c => c.AdjustCreditsAsync(user ?? funded, -5, reason, actor)));

        Assert.Equal(argument, error.ParamName);
        await AssertLedgerMatchesBalanceAsync(funded, 20);
    }

    [Fact]
    public async Task AdjustCredits_SameKeyAnotherAmount_IsAConflict_AndRemovesNothingMore()
    {
        var user = NewUser();
        await GrantAsync(user, 100);
        await WithCreditsAsync(c => c.AdjustCreditsAsync(user, -10, "duplicate order", "ops", "fix-2"));

        var other = await WithCreditsAsync(c => c.AdjustCreditsAsync(user, -20, "duplicate order", "ops", "fix-2"));

        Assert.Equal((false, CreditDeductionError.IdempotencyKeyConflict), (other.Success, other.Error));
        await AssertLedgerMatchesBalanceAsync(user, 90);
    }

    [Fact]
    public async Task AddExpiringCredits_ExpiringNow_IsRefusedNamingTheExpiry()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var services = Database.BuildServices(Database.ConnectionString, time: clock);

        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() =>
            WithCreditsAsync(c => c.AddExpiringCreditsAsync(NewUser(), 5, CreditTransactionType.Bonus, "promo", clock.GetUtcNow()), services));

        Assert.Equal("expiresAt", error.ParamName);
        Assert.Contains("expiry in the future", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(" ", CreditTransactionType.Bonus, "userId")]
    [InlineData(null, CreditTransactionType.Usage, "type")]
    public async Task AddExpiringCredits_BlankUserOrNonGrantType_IsRefusedNamingIt(string? user, CreditTransactionType type, string argument)
    {
        var error = await Assert.ThrowsAnyAsync<ArgumentException>(() =>
            WithCreditsAsync(c => c.AddExpiringCreditsAsync(user ?? NewUser(), 5, type, "promo", DateTimeOffset.UtcNow.AddDays(1))));

        Assert.Equal(argument, error.ParamName);
    }

    [Fact]
    public async Task AddCredits_UsageType_IsRefusedSayingWhichType()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => WithCreditsAsync(c => c.AddCreditsAsync(NewUser(), 5, CreditTransactionType.Usage, "nope")));

        Assert.Contains("transaction type 'Usage'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(8)]
    [InlineData(600)]
    public async Task AdjustCredits_Rows_DescribeTheCorrection_CutTo500Characters(int reasonLength)
    {
        var user = NewUser();
        await GrantAsync(user, 100);
        var reason = new string('r', reasonLength);

        await WithCreditsAsync(c => c.AdjustCreditsAsync(user, -10, reason, "ops"));
        await WithCreditsAsync(c => c.AdjustCreditsAsync(user, 10, reason, "ops"));

        var described = ("Adjustment: " + reason)[..Math.Min(500, reasonLength + 12)];
        Assert.Equal([described, described], (await RowsAsync(user)).Where(r => r.Type == CreditTransactionType.Adjustment).Select(r => r.Description));
    }

    [Fact]
    public async Task AddCredits_NullDescription_IsRefusedNamingIt()
    {
        var error = await Assert.ThrowsAsync<ArgumentNullException>(() => WithCreditsAsync(c => c.AddCreditsAsync(NewUser(), 5, CreditTransactionType.Bonus, null!)));

        Assert.Equal("description", error.ParamName);
    }

    [Fact]
    public async Task AddCredits_DescriptionOverTheMaximum_IsStoredCutToIt()
    {
        var user = NewUser();

        await WithCreditsAsync(c => c.AddCreditsAsync(user, 5, CreditTransactionType.Bonus, new string('d', 600)));

        Assert.Equal(500, (await RowsAsync(user)).Single().Description.Length);
    }

    [Fact]
    public async Task RefundUsage_BlankReason_IsRefusedNamingIt_AndRefundsNothing()
    {
        var user = NewUser();
        await GrantAsync(user, 20);
        var charge = await WithCreditsAsync(c => c.DeductCreditsAsync(user, "image-generation", "default"));

        var error = await Assert.ThrowsAnyAsync<ArgumentException>(() => WithCreditsAsync(c => c.RefundUsageAsync(charge.TransactionId!.Value, " ")));

        Assert.Equal("reason", error.ParamName);
        await AssertLedgerMatchesBalanceAsync(user, 17);
    }

    [Fact]
    public async Task RefundUsage_Row_SaysWhatWasRefundedAndWhy_KeyedByTheCharge()
    {
        var user = NewUser();
        await GrantAsync(user, 20);
        var charge = await WithCreditsAsync(c => c.DeductCreditsAsync(user, "image-generation", "default"));

        await WithCreditsAsync(c => c.RefundUsageAsync(charge.TransactionId!.Value, "the render failed"));

        var (usage, refund) = ((await RowsAsync(user)).Single(r => r.Type == CreditTransactionType.Usage), (await RowsAsync(user)).Single(r => r.Type == CreditTransactionType.Refund));
        Assert.Equal($"Refund of {usage.Description}: the render failed", refund.Description);
        Assert.Equal($"mf:refund:{charge.TransactionId}", refund.IdempotencyKey);
    }

    private async Task<List<CreditTransaction>> RowsAsync(string user)
    {
        await using var scope = Database.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<CreditsDbContext>().Transactions.AsNoTracking().Where(t => t.UserId == user).ToListAsync();
    }
}

public sealed class SqliteGrantArgumentTests(SqliteCreditsDatabase database) : GrantArgumentTests<SqliteCreditsDatabase>(database);

public sealed class PostgresGrantArgumentTests(PostgresCreditsDatabase database) : GrantArgumentTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbGrantArgumentTests(MariaDbCreditsDatabase database) : GrantArgumentTests<MariaDbCreditsDatabase>(database);
