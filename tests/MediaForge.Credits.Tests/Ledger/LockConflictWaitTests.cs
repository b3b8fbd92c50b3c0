using MediaForge.Credits.Ledger;

namespace MediaForge.Credits.Tests.Ledger;

/// <summary>
/// A deadlock's victim waits before its transaction runs again: at least 5 and less than 25 milliseconds times the
/// attempt it failed, at random, so the transactions it crossed can finish first and two victims do not meet again.
/// </summary>
public sealed class LockConflictWaitTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(CreditAttempts.MaxOnLockConflict - 1)]
    public void LockConflictWait_GrowsWithTheAttempt_Between5And25MillisecondsEach(int attempt)
    {
        var waits = Enumerable.Range(0, 500).Select(_ => CreditTransactions.LockConflictWait(attempt).TotalMilliseconds).ToList();

        Assert.All(waits, wait => Assert.InRange(wait, 5 * attempt, 25 * attempt - 1));
    }

    [Fact]
    public void LockConflictWait_IsRandom_SoTwoVictimsDoNotWaitAlike()
    {
        var waits = Enumerable.Range(0, 500).Select(_ => CreditTransactions.LockConflictWait(4)).Distinct().Count();

        Assert.True(waits > 10, $"{waits} distinct waits");
    }
}
