using MediaForge.Credits.Ledger;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace MediaForge.Credits.Tests.Ledger;

/// <summary>
/// A multi-step operation (a correction that removes credits) whose statement fails inside its transaction is rolled
/// back and run again: at most <see cref="CreditAttempts.Max"/> times in all for a database error, at most
/// <see cref="CreditAttempts.MaxOnLockConflict"/> for a deadlock's victim (SQLSTATE 40001 or 40P01, also when EF wraps it).
/// </summary>
public abstract class TransactionRetryTests<TDatabase>(TDatabase database) : LedgerTestsBase<TDatabase>(database)
    where TDatabase : CreditsDatabase
{
    public static TheoryData<string, int> Failures => new()
    {
        { "plain", CreditAttempts.Max },
        { "40001", CreditAttempts.MaxOnLockConflict },
        { "40P01", CreditAttempts.MaxOnLockConflict },
        { "wrapped 40001", CreditAttempts.MaxOnLockConflict },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public async Task AdjustCredits_FailingOneAttemptFewerThanAllowed_IsRunAgain_AndRemovesOnce(string failure, int attempts)
    {
        var (user, failing, services) = await StartAsync(failure);

        failing.Arm(attempts - 1);
        var result = await WithCreditsAsync(c => c.AdjustCreditsAsync(user, -10, "correction", "ops"), services);

        Assert.Equal((attempts - 1, true, 90L), (failing.Struck, result.Success, result.Balance));
        await AssertLedgerMatchesBalanceAsync(user, 90);
    }

    [Theory]
    [MemberData(nameof(Failures))]
    public async Task AdjustCredits_FailingEveryAttempt_GivesUpAfterTheLast_AndRemovesNothing(string failure, int attempts)
    {
        var (user, failing, services) = await StartAsync(failure);

        failing.Arm(int.MaxValue);
        await Assert.ThrowsAnyAsync<Exception>(() => WithCreditsAsync(c => c.AdjustCreditsAsync(user, -10, "correction", "ops"), services));

        Assert.Equal(attempts, failing.Struck);
        await AssertLedgerMatchesBalanceAsync(user, 100);
    }

    private Task<(string User, FailingBalanceUpdates Failing, IServiceProvider Services)> StartAsync(string failure) =>
        WithFailingBalanceUpdatesAsync(new FailingBalanceUpdates(failure switch
        {
            "plain" => null,
            "wrapped 40001" => () => new DbUpdateException("wrapped", new SimulatedSqlStateException("40001")),
            _ => () => new SimulatedSqlStateException(failure),
        }));
}

public sealed class SqliteTransactionRetryTests(SqliteCreditsDatabase database) : TransactionRetryTests<SqliteCreditsDatabase>(database);

public sealed class PostgresTransactionRetryTests(PostgresCreditsDatabase database) : TransactionRetryTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbTransactionRetryTests(MariaDbCreditsDatabase database) : TransactionRetryTests<MariaDbCreditsDatabase>(database);
