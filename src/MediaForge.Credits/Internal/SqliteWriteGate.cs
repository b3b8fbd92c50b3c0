using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;

namespace MediaForge.Credits.Internal;

/// <summary>
/// Orders the ledger's own write transactions on one SQLite database inside this process: a FIFO async gate in
/// front of <c>BEGIN IMMEDIATE</c>. SQLite allows one writer at a time; without the gate, concurrent writers of one
/// process all poll the database lock with SQLite's busy handler (sleeping between attempts, so the lock can sit idle
/// while every waiter sleeps, and each attempt costs CPU the lock holder needs). With it they wait on a semaphore and
/// the next one starts the moment the previous one commits. The gate only orders: the database lock still decides
/// (other processes, the host's own transactions), and a writer that waited longer than the command timeout goes on
/// to <c>BEGIN IMMEDIATE</c> without it, so the gate can delay but never deadlock anything.
/// </summary>
internal sealed class SqliteWriteGate
{
    private const string SqliteProvider = "Microsoft.EntityFrameworkCore.Sqlite";
    private static readonly ConcurrentDictionary<string, SqliteWriteGate> Gates = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim semaphore = new(1, 1);

    /// <summary>Whether no writer of this process holds the turn (for tests).</summary>
    internal bool IsIdle => semaphore.CurrentCount == 1;

    /// <summary>The gate of the context's SQLite database, or <see langword="null"/> for other providers.</summary>
    public static SqliteWriteGate? For(DbContext db) =>
        db.Database.ProviderName == SqliteProvider && db.Database.GetConnectionString() is { Length: > 0 } connectionString
            ? Gates.GetOrAdd(connectionString, static _ => new SqliteWriteGate())
            : null;

    /// <summary>Waits for the turn of this process's next writer (at most <paramref name="timeout"/>).</summary>
    /// <returns>The turn, to dispose after commit or rollback; <see langword="null"/> when the wait timed out.</returns>
    public async Task<IDisposable?> EnterAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        await semaphore.WaitAsync(timeout, cancellationToken).ConfigureAwait(false) ? new Turn(semaphore) : null;

    private sealed class Turn(SemaphoreSlim semaphore) : IDisposable
    {
        private int released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref released, 1) == 0)
            {
                semaphore.Release();
            }
        }
    }
}
