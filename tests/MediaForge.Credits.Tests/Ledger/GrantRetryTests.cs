using MediaForge.Credits.Ledger;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

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
        var (user, failing, services) = await StartAsync();

        failing.Arm(failures);
        var grant = await WithCreditsAsync(c => c.AddCreditsAsync(user, 10, CreditTransactionType.Bonus, "bonus", idempotencyKey: "bonus-1"), services);

        Assert.Equal((failures, 110L), (failing.Struck, grant.Balance));
        await AssertLedgerMatchesBalanceAsync(user, 110);
    }

    [Fact]
    public async Task AddCredits_BalanceUpdateFailingEveryAttempt_GivesUpAfterTheLastAttempt_AndGrantsNothing()
    {
        var (user, failing, services) = await StartAsync();

        failing.Arm(int.MaxValue);
        await Assert.ThrowsAsync<SimulatedDbException>(() => WithCreditsAsync(c => c.AddCreditsAsync(user, 10, CreditTransactionType.Bonus, "bonus"), services));

        Assert.Equal(CreditAttempts.Max, failing.Struck);
        await AssertLedgerMatchesBalanceAsync(user, 100);
    }

    private async Task<(string User, FailingBalanceUpdates Failing, IServiceProvider Services)> StartAsync()
    {
        var failing = new FailingBalanceUpdates();
        var services = Database.BuildServices(Database.ConnectionString, configureContext: o => o.AddInterceptors(failing));
        var user = NewUser();
        await WithCreditsAsync(c => c.AddCreditsAsync(user, 100, CreditTransactionType.Purchase, "credits"), services);
        return (user, failing, services);
    }
}

public sealed class SqliteGrantRetryTests(SqliteCreditsDatabase database) : GrantRetryTests<SqliteCreditsDatabase>(database);

public sealed class PostgresGrantRetryTests(PostgresCreditsDatabase database) : GrantRetryTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbGrantRetryTests(MariaDbCreditsDatabase database) : GrantRetryTests<MariaDbCreditsDatabase>(database);
