using MediaForge.Credits.Ledger;
using MediaForge.Credits.Tests.Infrastructure;

namespace MediaForge.Credits.Tests.Ledger;

/// <summary>
/// A deduction whose statement fails with a database error inside its transaction (rolled back whole) is tried again,
/// alone, at most <see cref="CreditAttempts.Max"/> times (after its batch, with group commit on), and charges once.
/// </summary>
public abstract class DeductionRetryTests<TDatabase>(TDatabase database) : LedgerTestsBase<TDatabase>(database)
    where TDatabase : CreditsDatabase
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task DeductCredits_BalanceUpdateFailingFewerTimesThanTheAttempts_IsRetried_AndChargesOnce(int failures)
    {
        var (user, failing, services) = await WithFailingBalanceUpdatesAsync(new FailingBalanceUpdates());

        failing.Arm(failures);
        var result = await WithCreditsAsync(c => c.DeductCreditsAsync(user, "video-generation", "veo2", idempotencyKey: "job-1"), services);

        Assert.Equal((failures, true, 85L), (failing.Struck, result.Success, result.RemainingBalance));
        await AssertLedgerMatchesBalanceAsync(user, 85);
    }

    [Fact]
    public async Task DeductCredits_BalanceUpdateFailingEveryAttempt_GivesUpAfterTheLastAttempt_AndChargesNothing()
    {
        var (user, failing, services) = await WithFailingBalanceUpdatesAsync(new FailingBalanceUpdates());

        failing.Arm(int.MaxValue);
        await Assert.ThrowsAsync<SimulatedDbException>(() => WithCreditsAsync(c => c.DeductCreditsAsync(user, "video-generation", "veo2"), services));

        // The first attempt runs as a batch of one (group commit is on) and, its batch failed with a database error, alone.
        Assert.Equal(CreditAttempts.Max + 1, failing.Struck);
        await AssertLedgerMatchesBalanceAsync(user, 100);
    }
}

public sealed class SqliteDeductionRetryTests(SqliteCreditsDatabase database) : DeductionRetryTests<SqliteCreditsDatabase>(database);

public sealed class PostgresDeductionRetryTests(PostgresCreditsDatabase database) : DeductionRetryTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbDeductionRetryTests(MariaDbCreditsDatabase database) : DeductionRetryTests<MariaDbCreditsDatabase>(database);
