using MediaForge.Credits.Sample;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace MediaForge.Credits.Browser.Tests.Infrastructure;

/// <summary>The sample host, started exactly as <c>dotnet run</c> starts it (Development), on Kestrel at a free loopback port and a temporary SQLite file.</summary>
public sealed class SampleApp : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly string folder;

    private SampleApp(WebApplication app, string folder)
    {
        this.app = app;
        this.folder = folder;
        BaseUrl = app.Urls.Single().TrimEnd('/');
    }

    /// <summary>For example <c>http://127.0.0.1:41234</c>.</summary>
    public string BaseUrl { get; }

    public static async Task<SampleApp> StartAsync(IReadOnlyDictionary<string, string?>? configuration = null)
    {
        var folder = Directory.CreateTempSubdirectory("mediaforge-sample-").FullName;
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            EnvironmentName = Environments.Development,
            ContentRootPath = folder,
            ApplicationName = typeof(CreditsSample).Assembly.GetName().Name,
        });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Credits"] = $"Data Source={Path.Combine(folder, "credits.db")}",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Microsoft.EntityFrameworkCore"] = "None",
        });
        builder.Configuration.AddInMemoryCollection(configuration ?? new Dictionary<string, string?>());
        var app = await CreditsSample.CreateAsync(builder);
        await app.StartAsync();
        return new SampleApp(app, folder);
    }

    /// <summary>Runs <paramref name="action"/> with a service from a new scope of the running app (a server-side change).</summary>
    public async Task<T> WithServiceAsync<TService, T>(Func<TService, Task<T>> action)
        where TService : notnull
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<TService>());
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // A file still open: the temp folder is left for the OS to clean.
        }
    }
}
