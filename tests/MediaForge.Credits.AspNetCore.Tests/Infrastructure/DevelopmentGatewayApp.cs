using System.Collections.Concurrent;
using MediaForge.Credits.AspNetCore.Development;
using MediaForge.Credits.Storage;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MediaForge.Credits.AspNetCore.Tests.Infrastructure;

/// <summary>
/// A host with the development gateway and no Stripe key, on a test server: the gateway's webhook deliveries reach the
/// same test server through its handler, so they take the real <c>/api/stripe/webhook</c> and <c>/api/webhooks/clerk</c> paths.
/// </summary>
public sealed class DevelopmentGatewayApp : IAsyncDisposable
{
    private readonly WebApplication app;

    private DevelopmentGatewayApp(WebApplication app, ConcurrentQueue<(LogLevel Level, string Message)> logs)
    {
        this.app = app;
        Logs = logs;
    }

    public ConcurrentQueue<(LogLevel Level, string Message)> Logs { get; }

    public IServiceProvider Services => app.Services;

    public static async Task<DevelopmentGatewayApp> StartAsync(CreditsDatabase database, string connectionString,
        string environment = "Development", IDictionary<string, string?>? settings = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = environment });
        builder.WebHost.UseTestServer();
        builder.Configuration.AddInMemoryCollection(settings ?? new Dictionary<string, string?>());
        var logs = new ConcurrentQueue<(LogLevel, string)>();
        builder.Logging.AddProvider(new ListLoggerProvider(logs));
        builder.Services.AddDbContextPool<CreditsDbContext>(o => database.UseProvider(o, connectionString));
        builder.Services.AddMediaForgeCredits(builder.Configuration).UseEntityFrameworkCore<CreditsDbContext>();
        builder.Services.AddCreditsDevelopmentGateway();
        builder.Services.AddHttpClient(DevelopmentWebhookSender.ClientName)
            .ConfigurePrimaryHttpMessageHandler(sp => ((TestServer)sp.GetRequiredService<IServer>()).CreateHandler());
        builder.Services.AddAuthentication(TestAuthHandler.SchemeName).AddScheme<AuthenticationSchemeOptions, TestAuthHandler>(TestAuthHandler.SchemeName, null);
        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapCreditEndpoints();
        app.MapCreditsDevelopmentGateway();
        app.MapCreditComponents();
        try
        {
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        await app.Services.InitializeCreditsAsync(createSchema: true);
        return new DevelopmentGatewayApp(app, logs);
    }

    public HttpClient Client(string? userId = null)
    {
        var client = app.GetTestClient();
        if (userId is not null)
        {
            client.DefaultRequestHeaders.Add("X-Test-User", userId);
        }

        return client;
    }

    public async Task<T> WithServiceAsync<TService, T>(Func<TService, Task<T>> action)
        where TService : notnull
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<TService>());
    }

    public Task<long> BalanceAsync(string userId) =>
        WithServiceAsync<ICreditService, long>(async c => (await c.GetBalanceAsync(userId)).Balance);

    public ValueTask DisposeAsync() => app.DisposeAsync();

    private sealed class ListLoggerProvider(ConcurrentQueue<(LogLevel, string)> logs) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new ListLogger(logs);

        public void Dispose()
        {
        }
    }

    private sealed class ListLogger(ConcurrentQueue<(LogLevel, string)> logs) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            logs.Enqueue((logLevel, formatter(state, exception)));
    }
}
