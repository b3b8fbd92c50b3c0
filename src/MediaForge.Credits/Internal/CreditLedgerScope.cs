using Microsoft.EntityFrameworkCore.Storage;

namespace MediaForge.Credits.Internal;

/// <summary>
/// One credit operation's transaction: committed explicitly, rolled back on dispose otherwise. Holds the process's
/// SQLite write turn (<see cref="SqliteWriteGate"/>), if any, until the commit or the rollback.
/// </summary>
internal sealed class CreditLedgerScope(IDbContextTransaction? transaction, IDisposable? turn = null) : IAsyncDisposable
{
    /// <summary>Whether the operation runs inside a transaction the host owns.</summary>
    public bool IsJoined => transaction is null;

    public async Task CommitAsync(CancellationToken cancellationToken)
    {
        if (transaction is null)
        {
            return;
        }

        try
        {
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            turn?.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (transaction is not null)
            {
                await transaction.DisposeAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            turn?.Dispose();
        }
    }
}
