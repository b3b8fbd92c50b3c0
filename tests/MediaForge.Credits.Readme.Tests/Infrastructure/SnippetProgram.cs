using System.Diagnostics;
using System.Reflection;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace MediaForge.Credits.Readme.Tests.Infrastructure;

/// <summary>
/// A compiled README <c>Program.cs</c> running on Kestrel at a free loopback port, started through its own entry point
/// with command-line arguments (the configuration a reader would put in appsettings or the environment). The host it
/// builds is caught from the hosting <see cref="DiagnosticListener"/> (as WebApplicationFactory does), so the test can
/// read its address and services. Tests that start programs must not run in parallel (<see cref="SnippetProgramCollection"/>).
/// </summary>
internal sealed class SnippetProgram : IAsyncDisposable
{
    private readonly IHost host;
    private readonly Task run;

    private SnippetProgram(IHost host, Task run, Uri address)
    {
        this.host = host;
        this.run = run;
        Address = address;
    }

    /// <summary>Where the program listens.</summary>
    public Uri Address { get; }

    /// <summary>The program's services.</summary>
    public IServiceProvider Services => host.Services;

    /// <summary>Runs the program's entry point until its host has started.</summary>
    public static async Task<SnippetProgram> StartAsync(Assembly program, params string[] configuration)
    {
        using var capture = new HostCapture();
        string[] args = ["--urls=http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning", .. configuration];
        var run = Task.Run(() =>   // the entry point of an async Program.cs waits for its own Main$ task
            program.EntryPoint!.Invoke(null, BindingFlags.DoNotWrapExceptions, null, [args], null) as Task ?? Task.CompletedTask);

        await UnlessEndedAsync(capture.Built, run, "building its host");
        var host = await capture.Built;
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStarted.Register(started.SetResult);
        await UnlessEndedAsync(started.Task, run, "starting");

        var addresses = host.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!;
        return new SnippetProgram(host, run, new Uri(addresses.Addresses.First()));
    }

    /// <summary>Waits for <paramref name="step"/>; fails with the program's exception if it ends first.</summary>
    private static async Task UnlessEndedAsync(Task step, Task run, string what)
    {
        if (await Task.WhenAny(step, run) != run) return;
        await run;
        throw new InvalidOperationException($"The README program ended before {what}.");
    }

    /// <summary>Deletes a SQLite database file a program used, with its WAL files.</summary>
    public static void DeleteSqliteDatabase(string path)
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(path + suffix);
    }

    /// <summary>A client of the program.</summary>
    public HttpClient CreateClient() => new() { BaseAddress = Address };

    /// <summary>Stops the program and waits for its entry point to return.</summary>
    public async ValueTask DisposeAsync()
    {
        host.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();
        await run.WaitAsync(TimeSpan.FromSeconds(60));
    }

    /// <summary>Catches the first host built while it is subscribed.</summary>
    private sealed class HostCapture : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>, IDisposable
    {
        private readonly TaskCompletionSource<IHost> built = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly List<IDisposable> subscriptions = [];
        private readonly IDisposable all;

        public HostCapture() => all = DiagnosticListener.AllListeners.Subscribe(this);

        public Task<IHost> Built => built.Task;

        public void OnNext(DiagnosticListener value)
        {
            if (value.Name != "Microsoft.Extensions.Hosting") return;
            lock (subscriptions) subscriptions.Add(value.Subscribe(this));
        }

        public void OnNext(KeyValuePair<string, object?> value)
        {
            if (value is { Key: "HostBuilt", Value: IHost host }) built.TrySetResult(host);
        }

        public void OnCompleted() { }

        public void OnError(Exception error) { }

        public void Dispose()
        {
            all.Dispose();
            lock (subscriptions) subscriptions.ForEach(s => s.Dispose());
        }
    }
}

/// <summary>Tests that start README programs: one at a time (the host capture listens process-wide).</summary>
[CollectionDefinition(nameof(SnippetProgramCollection), DisableParallelization = true)]
public sealed class SnippetProgramCollection;
