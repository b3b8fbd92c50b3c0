using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace MediaForge.Credits.Tests.Infrastructure;

/// <summary>The context of every committed transaction, in the order of the commits.</summary>
public sealed class CommitContexts : DbTransactionInterceptor
{
    private readonly List<DbContext?> seen = [];

    /// <summary>The contexts seen so far.</summary>
    public IReadOnlyList<DbContext?> Seen
    {
        get
        {
            lock (seen)
            {
                return [.. seen];
            }
        }
    }

    /// <summary>Forgets the commits seen so far.</summary>
    public void Clear()
    {
        lock (seen)
        {
            seen.Clear();
        }
    }

    public override Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        lock (seen)
        {
            seen.Add(eventData.Context);
        }

        return Task.CompletedTask;
    }
}
