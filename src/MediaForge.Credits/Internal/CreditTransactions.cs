using System.Data.Common;
using Microsoft.EntityFrameworkCore;

namespace MediaForge.Credits.Internal;

/// <summary>Runs a multi-step credit operation in one database transaction.</summary>
internal static class CreditTransactions
{
    private const int MaxAttempts = 3;

    /// <summary>
    /// Runs <paramref name="operation"/> in a new transaction and commits it; when the database rejects a racing write
    /// (a unique key, a racing account creation) the whole operation is rolled back and run again, and then finds what
    /// the winner committed. Inside the host's open transaction (or on a non-relational provider) it just runs.
    /// The operation must have no side effects outside the database.
    /// </summary>
    public static async Task<T> RunAsync<T>(DbContext db, Func<CancellationToken, Task<T>> operation, CancellationToken cancellationToken)
    {
        if (db.Database.CurrentTransaction is not null || !db.Database.IsRelational())
        {
            return await operation(cancellationToken).ConfigureAwait(false);
        }

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                var result = await operation(cancellationToken).ConfigureAwait(false);
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                return result;
            }
            catch (Exception exception) when (exception is DbException or DbUpdateException
                && attempt < MaxAttempts && !cancellationToken.IsCancellationRequested)
            {
                db.ChangeTracker.Clear();
            }
        }
    }
}
