using System.Collections.Concurrent;
using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace MediaForge.Credits.Tests.Infrastructure;

/// <summary>Every statement that failed (a deadlock victim, a lock timeout, a unique key), retried behind the scenes or not.</summary>
public sealed class FailedCommands : DbCommandInterceptor
{
    public ConcurrentBag<string> Errors { get; } = [];

    public override Task CommandFailedAsync(DbCommand command, CommandErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Errors.Add(eventData.Exception.Message);
        return Task.CompletedTask;
    }

    public override void CommandFailed(DbCommand command, CommandErrorEventData eventData) => Errors.Add(eventData.Exception.Message);
}
