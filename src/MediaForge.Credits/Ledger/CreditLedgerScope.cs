using Microsoft.EntityFrameworkCore.Storage;

namespace MediaForge.Credits.Ledger;

/// <summary>One credit operation's transaction: committed explicitly, rolled back on dispose otherwise.</summary>
internal sealed class CreditLedgerScope(IDbContextTransaction? transaction) : IAsyncDisposable
{
    /// <summary>Whether the operation runs inside a transaction the host owns.</summary>
    public bool IsJoined => transaction is null;

    /// <summary>Commits; a failure of the commit itself is a <see cref="CreditCommitOutcomeUnknownException"/>.</summary>
    public Task CommitAsync(CancellationToken cancellationToken) =>
        transaction is null ? Task.CompletedTask : CreditCommitOutcomeUnknownException.CommitAsync(transaction, cancellationToken);

    public ValueTask DisposeAsync() => transaction?.DisposeAsync() ?? ValueTask.CompletedTask;
}
