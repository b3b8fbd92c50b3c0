using Microsoft.EntityFrameworkCore.Storage;

namespace MediaForge.Credits.Internal;

/// <summary>One credit operation's transaction: committed explicitly, rolled back on dispose otherwise.</summary>
internal sealed class CreditLedgerScope(IDbContextTransaction? transaction) : IAsyncDisposable
{
    /// <summary>Whether the operation runs inside a transaction the host owns.</summary>
    public bool IsJoined => transaction is null;

    public Task CommitAsync(CancellationToken cancellationToken) =>
        transaction?.CommitAsync(cancellationToken) ?? Task.CompletedTask;

    public ValueTask DisposeAsync() => transaction?.DisposeAsync() ?? ValueTask.CompletedTask;
}
