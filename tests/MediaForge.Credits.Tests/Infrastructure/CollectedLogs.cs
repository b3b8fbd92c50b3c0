using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace MediaForge.Credits.Tests.Infrastructure;

/// <summary>Sends the library's logs to a test's collector.</summary>
public static class CollectedLogs
{
    /// <summary>Logs from <paramref name="minimum"/> up (Debug by default) go to <paramref name="logs"/>.</summary>
    public static IServiceCollection AddLogsTo(this IServiceCollection services, FakeLogCollector logs, LogLevel minimum = LogLevel.Debug) =>
        services.AddLogging(b => b.SetMinimumLevel(minimum).AddProvider(new FakeLoggerProvider(logs)));
}
