using System.Data.Common;

namespace MediaForge.Credits.Ledger;

/// <summary>The attempts of one credit operation and the operation id it keeps across them.</summary>
internal static class CreditAttempts
{
    /// <summary>Attempts of one operation when the database rejects a racing duplicate (unique key) or a racing account creation.</summary>
    public const int Max = 3;

    /// <summary>
    /// Attempts of one operation when the database picked it as a deadlock's victim or timed out its lock wait
    /// (<see cref="IsLockConflict"/>): its transaction is rolled back whole and its operation ids (decision 0011) make the
    /// next attempt find or redo it exactly once. InnoDB (MariaDB) detects deadlocks at once, so under contention the same
    /// operation may lose several in a row (decision 0042).
    /// </summary>
    public const int MaxOnLockConflict = 10;

    /// <summary>Whether a failed attempt may run again: not the last one, not cancelled, and not inside a host's transaction.</summary>
    public static bool CanRetry(DbContext db, int attempt, CancellationToken cancellationToken, DbException? exception = null) =>
        attempt < (exception is not null && IsLockConflict(exception) ? MaxOnLockConflict : Max)
        && !cancellationToken.IsCancellationRequested && db.Database.CurrentTransaction is null;

    /// <summary>
    /// A deadlock or a lock wait timeout: SQLSTATE 40001 (MySQL's 1213, a serialization failure) or 40P01 (PostgreSQL's
    /// deadlock), or MySQL's error 1205 (lock wait timeout, SQLSTATE HY000; read by name: the library references no
    /// MySQL package).
    /// </summary>
    public static bool IsLockConflict(DbException exception) =>
        exception.SqlState is "40001" or "40P01"
        || (exception.GetType().FullName?.StartsWith("MySql.", StringComparison.Ordinal) == true
            && exception.GetType().GetProperty("Number")?.GetValue(exception) is 1213 or 1205);

    /// <summary>A new operation id: the time-ordered id of the row the operation writes, chosen before its first attempt.</summary>
    public static Guid NewOperationId(TimeProvider time) => Guid.CreateVersion7(time.GetUtcNow());

    /// <summary>A stored (UTC) time as an offset.</summary>
    public static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));
}
