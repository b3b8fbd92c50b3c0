using System.Runtime.ExceptionServices;
using Microsoft.EntityFrameworkCore.Storage;

namespace MediaForge.Credits.Ledger;

/// <summary>
/// The COMMIT of a credit operation failed: the database may have applied it (the acknowledgement was lost) or not.
/// Never retried blindly: the operation's id is looked up to settle it (see <see cref="CreditTransactions"/>). Not a
/// <see cref="System.Data.Common.DbException"/>, so no retry filter mistakes it for a failure before the commit.
/// </summary>
internal sealed class CreditCommitOutcomeUnknownException(Exception failure)
    : Exception("The commit of a credit operation failed; whether it was applied is not known.", failure)
{
    /// <summary>Commits <paramref name="transaction"/>; any failure of the commit becomes this exception.</summary>
    public static async Task CommitAsync(IDbContextTransaction transaction, CancellationToken cancellationToken)
    {
        try
        {
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw new CreditCommitOutcomeUnknownException(exception);
        }
    }

    /// <summary>
    /// Settles the failed commit by looking the operation up: its stored outcome when it was applied; otherwise (or
    /// when the lookup fails too) the commit's own failure is thrown again, for the caller to retry with its key.
    /// </summary>
    /// <remarks>For reference-typed outcomes: <see langword="null"/> from <paramref name="lookUp"/> means "not applied".</remarks>
    public async Task<T> SettleAsync<T>(Func<CancellationToken, Task<T?>> lookUp, CancellationToken cancellationToken)
    {
        T? applied;
        try
        {
            applied = await lookUp(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            applied = default;
        }

        if (applied is null)
        {
            ExceptionDispatchInfo.Throw(InnerException!);
        }

        return applied;
    }
}
