using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace MediaForge.Credits.Tests.Infrastructure;

/// <summary>Counts the commands a context runs that read rows (added with <c>AddInterceptors</c>).</summary>
internal sealed class ReaderCounter : DbCommandInterceptor
{
    public int Readers { get; set; }

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        Readers++;
        return ValueTask.FromResult(result);
    }
}
