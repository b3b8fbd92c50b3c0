using System.Diagnostics;
using System.Reflection;
using System.Text;
using System.Text.Json;

namespace MediaForge.Credits.Tests.Infrastructure;

/// <summary>
/// One run of <c>MediaForge.Credits.TortureWorker</c> as a separate OS process (<c>dotnet worker.dll</c>), located through
/// the path the test project's build recorded. Collects its progress lines and its final JSON counts.
/// </summary>
public sealed class TortureWorker : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(90);
    private readonly Process process;
    private readonly StringBuilder errors = new();
    private readonly TaskCompletionSource exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource stdoutClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly System.Collections.Concurrent.ConcurrentQueue<Guid> delivered = new();
    private int progress;
    private string? summary;

    private TortureWorker(CreditsDatabase database, string connectionString, IEnumerable<string> arguments)
    {
        var startInfo = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        startInfo.ArgumentList.Add(WorkerPath);
        foreach (var argument in (string[])["--provider", database switch { SqliteCreditsDatabase => "sqlite", MariaDbCreditsDatabase => "mariadb", _ => "postgres" }, "--connection", connectionString, .. arguments])
        {
            startInfo.ArgumentList.Add(argument);
        }

        process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                stdoutClosed.TrySetResult();
                ready.TrySetResult();
            }
            else if (e.Data == "ready")
            {
                ready.TrySetResult();
            }
            else if (e.Data.StartsWith("progress ", StringComparison.Ordinal))
            {
                Volatile.Write(ref progress, int.Parse(e.Data["progress ".Length..], System.Globalization.CultureInfo.InvariantCulture));
            }
            else if (e.Data.StartsWith("delivered ", StringComparison.Ordinal))
            {
                delivered.Enqueue(Guid.Parse(e.Data["delivered ".Length..]));
            }
            else if (e.Data.StartsWith('{'))
            {
                summary = e.Data;
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (errors)
                {
                    errors.AppendLine(e.Data);
                }
            }
        };
        process.Exited += (_, _) => exited.TrySetResult();
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>The ids of the events the worker's dispatcher delivered (<c>--dispatch</c>), as it printed them.</summary>
    public IReadOnlyCollection<Guid> DeliveredEvents => delivered;

    /// <summary>Operations the worker reported done so far (in steps of ten).</summary>
    public int Progress => Volatile.Read(ref progress);

    public static string WorkerPath
    {
        get
        {
            var path = typeof(TortureWorker).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
                .SingleOrDefault(a => a.Key == "TortureWorkerPath")?.Value;
            return path is not null && File.Exists(path)
                ? path
                : throw new InvalidOperationException($"The torture worker was not built where the test build recorded it ('{path}'). Build the solution first.");
        }
    }

    public static TortureWorker Start(CreditsDatabase database, string connectionString, params string[] arguments) =>
        new(database, connectionString, arguments);

    /// <summary>Starts processes started with <c>--wait-for-go</c> at the same moment, once all of them are ready.</summary>
    public static async Task GoAsync(IReadOnlyCollection<TortureWorker> workers)
    {
        var all = Task.WhenAll(workers.Select(w => w.ready.Task));
        Assert.True(await Task.WhenAny(all, Task.Delay(Limit)) == all, "The workers did not get ready in time.");
        foreach (var worker in workers)
        {
            await worker.process.StandardInput.WriteLineAsync("go");
            await worker.process.StandardInput.FlushAsync();
        }
    }

    /// <summary>Waits for the worker to finish on its own and returns its counts; fails if it failed.</summary>
    public async Task<WorkerCounts> CompleteAsync()
    {
        await WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"The worker exited with code {process.ExitCode}: {Errors}");
        Assert.True(summary is not null, $"The worker printed no counts: {Errors}");
        return JsonSerializer.Deserialize<WorkerCounts>(summary, new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
    }

    /// <summary>Waits until the worker reported at least <paramref name="operations"/> operations, then kills it (kill -9).</summary>
    public async Task KillAfterAsync(int operations)
    {
        var deadline = Stopwatch.StartNew();
        while (Progress < operations)
        {
            Assert.False(process.HasExited, $"The worker exited before it was killed: {Errors}");
            Assert.True(deadline.Elapsed < Limit, $"The worker did not reach {operations} operations in {Limit}: {Errors}");
            await Task.Delay(10);
        }

        process.Kill(entireProcessTree: true);
        await WaitForExitAsync();
    }

    public void Dispose()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }

        process.Dispose();
    }

    private string Errors
    {
        get
        {
            lock (errors)
            {
                return errors.ToString();
            }
        }
    }

    private async Task WaitForExitAsync()
    {
        var finished = await Task.WhenAny(Task.WhenAll(exited.Task, stdoutClosed.Task), Task.Delay(Limit));
        if (!exited.Task.IsCompleted)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"The worker did not finish within {Limit}: {Errors}");
        }

        await finished;
        await process.WaitForExitAsync();
    }
}

public sealed record WorkerCounts(long Succeeded, long Replayed, long Refused, long Errors);
