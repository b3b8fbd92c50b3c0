using MediaForge.Credits.Tests.Infrastructure;

namespace MediaForge.Credits.Tests.Ledger;

/// <summary>Grants through <see cref="ICreditService.AddCreditsAsync"/>: bounds, the first grant of a new user, key replays and conflicts, races; on each real database.</summary>
public abstract class CreditGrantTests<TDatabase>(TDatabase database) : LedgerTestsBase<TDatabase>(database)
    where TDatabase : CreditsDatabase
{
    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public async Task AddCredits_AmountNotPositive_ThrowsNamingTheValue(long amount)
    {
        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => GrantAsync(NewUser(), amount));

        Assert.Equal("amount", error.ParamName);
        Assert.Contains(amount.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddCredits_UsageType_IsRejected()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() =>
            WithCreditsAsync(c => c.AddCreditsAsync(NewUser(), 5, CreditTransactionType.Usage, "nope")));

        Assert.Equal("type", error.ParamName);
    }

    [Fact]
    public async Task AddCredits_NewUser_CreatesAccountWithTheGrant()
    {
        var user = NewUser();

        var result = await WithCreditsAsync(c => c.AddCreditsAsync(user, 50, CreditTransactionType.Bonus, "Welcome bonus", new { source = "test" }));

        Assert.Equal(50, result.Balance);
        Assert.False(result.IsReplay);
        var balance = await WithCreditsAsync(c => c.GetBalanceAsync(user));
        Assert.Equal(new CreditBalance
        {
            UserId = user, Balance = 50, Available = 50, IsUnlimited = false,
            Categories = new Dictionary<string, long> { ["promotional"] = 50, ["paid"] = 0 },
        }, balance);
        await AssertLedgerMatchesBalanceAsync(user, 50);
    }

    [Fact]
    public async Task AddCredits_SameKeyTwice_GrantsOnceAndReplays()
    {
        var user = NewUser();

        var first = await GrantAsync(user, 200, "cs_test_1");
        var second = await GrantAsync(user, 200, "cs_test_1");

        Assert.True(second.IsReplay);
        Assert.Equal(first.TransactionId, second.TransactionId);
        Assert.Equal(200, second.Balance);
        await AssertLedgerMatchesBalanceAsync(user, 200);
    }

    [Fact]
    public async Task AddCredits_SameKeyDifferentAmount_ThrowsConflictAndMovesNothing()
    {
        var user = NewUser();
        await GrantAsync(user, 200, "cs_test_2");

        var error = await Assert.ThrowsAsync<IdempotencyKeyConflictException>(() => GrantAsync(user, 1000, "cs_test_2"));

        Assert.Equal("idempotency_key_conflict", error.ErrorCode);
        await AssertLedgerMatchesBalanceAsync(user, 200);
    }

    [Fact]
    public async Task AddCredits_TwentyConcurrentFirstGrantsToNewUser_AllApplyOnOneAccount()
    {
        var user = NewUser();

        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => GrantAsync(user, 7))));

        Assert.Equal(Enumerable.Range(1, 20).Select(i => i * 7L), results.Select(r => r.Balance).Order());
        await AssertLedgerMatchesBalanceAsync(user, 140);
    }

    [Fact]
    public async Task AddCredits_TwentyConcurrentGrantsWithOneKey_GrantOnce()
    {
        var user = NewUser();

        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => GrantAsync(user, 200, "cs_race"))));

        Assert.Single(results, r => !r.IsReplay);
        await AssertLedgerMatchesBalanceAsync(user, 200);
    }
}

public sealed class SqliteCreditGrantTests(SqliteCreditsDatabase database) : CreditGrantTests<SqliteCreditsDatabase>(database);

public sealed class PostgresCreditGrantTests(PostgresCreditsDatabase database) : CreditGrantTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbCreditGrantTests(MariaDbCreditsDatabase database) : CreditGrantTests<MariaDbCreditsDatabase>(database);
