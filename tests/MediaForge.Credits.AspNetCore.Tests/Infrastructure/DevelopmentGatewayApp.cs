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

    private DevelopmentGatewayApp(WebApplication app, ConcurrentQueue<(LogLevel Level, string Message)> logs, OutgoingWebhooks outgoing)
    {
        this.app = app;
        Logs = logs;
        Outgoing = outgoing;
    }

    public ConcurrentQueue<(LogLevel Level, string Message)> Logs { get; }

    /// <summary>Where the gateway's webhook deliveries went, and a way to make them fail.</summary>
    public OutgoingWebhooks Outgoing { get; }

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
        var outgoing = new OutgoingWebhooks();
        builder.Services.AddHttpClient(DevelopmentWebhookSender.ClientName)
            .ConfigurePrimaryHttpMessageHandler(sp => ((TestServer)sp.GetRequiredService<IServer>()).CreateHandler())
            .AddHttpMessageHandler(() => new OutgoingWebhooks.Recorder(outgoing));
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
        return new DevelopmentGatewayApp(app, logs, outgoing);
    }

    /// <summary>A client whose requests carry <paramref name="host"/> as their Host header (default: the test server's).</summary>
    public HttpClient Client(string? userId = null, string? host = null)
    {
        var client = app.GetTestClient();
        if (host is not null)
        {
            client.BaseAddress = new Uri($"http://{host}/");
        }

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

    public sealed class OutgoingWebhooks
    {
        public ConcurrentQueue<Uri> Targets { get; } = new();

        /// <summary>When set, every delivery is answered with this status and body instead of reaching the app.</summary>
        public (System.Net.HttpStatusCode Status, string Body)? Answer { get; set; }

        public sealed class Recorder(OutgoingWebhooks outgoing) : DelegatingHandler
        {
            protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            {
                outgoing.Targets.Enqueue(request.RequestUri!);
                return outgoing.Answer is { } answer
                    ? Task.FromResult(new HttpResponseMessage(answer.Status) { Content = new StringContent(answer.Body) })
                    : base.SendAsync(request, cancellationToken);
            }
        }
    }

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
