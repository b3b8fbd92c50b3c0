using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace MediaForge.Credits.Tests.Infrastructure;

/// <summary>Once given a call, runs it (on its own connection, to its commit) right after the next read of <paramref name="table"/>.</summary>
internal sealed class AnotherCallAfterTheNextRead(string table) : DbCommandInterceptor
{
    public Func<Task>? Call { get; set; }

    public override async ValueTask<DbDataReader> ReaderExecutedAsync(DbCommand command, CommandExecutedEventData eventData, DbDataReader result,
        CancellationToken cancellationToken = default)
    {
        if (Call is { } call && command.CommandText.Contains(table, StringComparison.Ordinal))
        {
            Call = null;
            await call();
        }

        return result;
    }
}
