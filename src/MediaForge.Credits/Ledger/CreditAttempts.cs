namespace MediaForge.Credits.Ledger;

/// <summary>The attempts of one credit operation and the operation id it keeps across them.</summary>
internal static class CreditAttempts
{
    /// <summary>Attempts of one operation when the database rejects a racing duplicate (unique key) or a racing account creation.</summary>
    public const int Max = 3;

    /// <summary>Whether a failed attempt may run again: not the last one, not cancelled, and not inside a host's transaction.</summary>
    public static bool CanRetry(DbContext db, int attempt, CancellationToken cancellationToken) =>
        attempt < Max && !cancellationToken.IsCancellationRequested && db.Database.CurrentTransaction is null;

    /// <summary>A new operation id: the time-ordered id of the row the operation writes, chosen before its first attempt.</summary>
    public static Guid NewOperationId(TimeProvider time) => Guid.CreateVersion7(time.GetUtcNow());

    /// <summary>A stored (UTC) time as an offset.</summary>
    public static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));
}
