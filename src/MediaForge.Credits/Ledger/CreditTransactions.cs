using System.Data.Common;
using MediaForge.Credits.Storage;

namespace MediaForge.Credits.Ledger;

/// <summary>Runs a multi-step credit operation in one database transaction.</summary>
internal static class CreditTransactions
{
    private const int MaxAttempts = CreditAttempts.Max;

    /// <summary>
    /// Runs <paramref name="operation"/> in a new transaction and commits it. When the database rejects a racing write
    /// before the commit (a unique key, a racing account creation) the whole operation is rolled back and run again,
    /// and then finds what the winner committed. A failure of the commit itself is never run again: it is settled by
    /// <paramref name="settle"/> (the operation's stored outcome when it was applied), or thrown. Inside the host's
    /// open transaction (or on a non-relational provider) it just runs. The operation must have no side effects
    /// outside the database.
    /// </summary>
    /// <param name="db">The context.</param>
    /// <param name="operation">The operation's statements.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <param name="settle">
    /// Looks the operation up after a failed commit (by the id or key it writes); <see langword="null"/> when it is
    /// not there. Without it, a failed commit is thrown to the caller.
    /// </param>
    public static async Task<T> RunAsync<T>(DbContext db, Func<CancellationToken, Task<T>> operation, CancellationToken cancellationToken,
        Func<CancellationToken, Task<T?>>? settle = null)
    {
        if (db.Database.CurrentTransaction is not null || !db.Database.IsRelational())
        {
            return await operation(cancellationToken).ConfigureAwait(false);
        }

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var transaction = await db.Database.BeginCreditTransactionAsync(cancellationToken).ConfigureAwait(false);
                var result = await operation(cancellationToken).ConfigureAwait(false);
                await CreditCommitOutcomeUnknownException.CommitAsync(transaction, cancellationToken).ConfigureAwait(false);
                return result;
            }
            catch (CreditCommitOutcomeUnknownException unknown)
            {
                // Stryker disable once Statement : equivalent: InsertDetachedAsync detaches every row it inserts, even when the insert fails, so nothing is left tracked
                db.ChangeTracker.Clear();
                // Stryker disable once Block : equivalent: SettleAsync with no look-up throws inside it, which counts as not applied and rethrows the same failure
                if (settle is null)
                {
                    // Stryker disable once Statement : equivalent: SettleAsync with no look-up throws inside it, which counts as not applied and rethrows the same failure
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(unknown.InnerException!);
                }

                return await unknown.SettleAsync(settle, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is DbException or DbUpdateException
                && attempt < Attempts(exception) && !cancellationToken.IsCancellationRequested)
            {
                // Stryker disable once Statement : equivalent: InsertDetachedAsync detaches every row it inserts, even when the insert fails, so nothing is left tracked
                db.ChangeTracker.Clear();
                // Stryker disable once Boolean : timing only: which failures wait a little before the next attempt
                if (IsLockConflict(exception))
                {
                    // A deadlock's victim waits a little (more each time) so the transactions it crossed can finish first.
                    // Stryker disable once Statement : timing only (the next attempt's outcome is the same); the wait's length is LockConflictWait's, tested
                    await Task.Delay(LockConflictWait(attempt), cancellationToken).ConfigureAwait(false);
                }
            }
        }
    }

    /// <summary>How long a deadlock's victim waits before attempt <paramref name="attempt"/> + 1: 5 to 25 ms times the attempt, at random.</summary>
    internal static TimeSpan LockConflictWait(int attempt) => TimeSpan.FromMilliseconds(Random.Shared.Next(5 * attempt, 25 * attempt));

    // More attempts for a deadlock's victim or a lock wait timeout (the whole transaction is rolled back and run again).
    private static int Attempts(Exception exception) => IsLockConflict(exception) ? CreditAttempts.MaxOnLockConflict : MaxAttempts;

    private static bool IsLockConflict(Exception exception) =>
        // Stryker disable once NullCoalescing : equivalent: a provider's DbException does not wrap another, so at most one of the two is a DbException
        (exception as DbException ?? exception.InnerException as DbException) is { } failure && CreditAttempts.IsLockConflict(failure);
}
