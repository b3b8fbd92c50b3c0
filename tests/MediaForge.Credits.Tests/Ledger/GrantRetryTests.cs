using MediaForge.Credits.Ledger;
using MediaForge.Credits.Tests.Infrastructure;

namespace MediaForge.Credits.Tests.Ledger;

/// <summary>
/// A grant whose statement fails with a database error inside its transaction (rolled back whole) is tried again, at
/// most <see cref="CreditAttempts.Max"/> times in all, and applies once.
/// </summary>
public abstract class GrantRetryTests<TDatabase>(TDatabase database) : LedgerTestsBase<TDatabase>(database)
    where TDatabase : CreditsDatabase
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task AddCredits_BalanceUpdateFailingFewerTimesThanTheAttempts_IsRetried_AndGrantsOnce(int failures)
    {
        var (user, failing, services) = await WithFailingBalanceUpdatesAsync(new FailingBalanceUpdates());

        failing.Arm(failures);
        var grant = await WithCreditsAsync(c => c.AddCreditsAsync(user, 10, CreditTransactionType.Bonus, "bonus", idempotencyKey: "bonus-1"), services);

        Assert.Equal((failures, 110L), (failing.Struck, grant.Balance));
        await AssertLedgerMatchesBalanceAsync(user, 110);
    }

    [Fact]
    public async Task AddCredits_BalanceUpdateFailingEveryAttempt_GivesUpAfterTheLastAttempt_AndGrantsNothing()
    {
        var (user, failing, services) = await WithFailingBalanceUpdatesAsync(new FailingBalanceUpdates());

        failing.Arm(int.MaxValue);
        await Assert.ThrowsAsync<SimulatedDbException>(() => WithCreditsAsync(c => c.AddCreditsAsync(user, 10, CreditTransactionType.Bonus, "bonus"), services));

        Assert.Equal(CreditAttempts.Max, failing.Struck);
        await AssertLedgerMatchesBalanceAsync(user, 100);
    }
}

public sealed class SqliteGrantRetryTests(SqliteCreditsDatabase database) : GrantRetryTests<SqliteCreditsDatabase>(database);

public sealed class PostgresGrantRetryTests(PostgresCreditsDatabase database) : GrantRetryTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbGrantRetryTests(MariaDbCreditsDatabase database) : GrantRetryTests<MariaDbCreditsDatabase>(database);
