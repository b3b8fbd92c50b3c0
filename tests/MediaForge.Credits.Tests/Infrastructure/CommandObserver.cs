using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace MediaForge.Credits.Tests.Infrastructure;

/// <summary>
/// An interceptor that sees each command a context runs before it runs, whether it returns rows or not (PostgreSQL
/// runs a debit with its inserts as one statement, a reader; the other databases mostly as non-queries).
/// </summary>
internal abstract class CommandObserver : DbCommandInterceptor
{
    public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Executing(command);
        return ValueTask.FromResult(result);
    }

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        Executing(command);
        return ValueTask.FromResult(result);
    }

    /// <summary>Called before each command runs; throw to fail it.</summary>
    protected abstract void Executing(DbCommand command);
}
