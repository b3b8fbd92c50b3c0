using System.Diagnostics;
using System.Text;

namespace MediaForge.Credits.Package.Tests.Infrastructure;

/// <summary>
/// Runs the dotnet CLI as a user would in a shell. The test host's own MSBuild and test-runner variables are taken out
/// of the child's environment (they would point a nested build at this build's MSBuild), and so is anything that
/// configures a credits host (connection strings, Stripe and Clerk keys), so the child sees a clean machine.
/// </summary>
internal static class DotnetCli
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(5);

    private static readonly string[] RemovedPrefixes =
        ["MSBUILD", "VSTEST", "TESTINGPLATFORM", "ASPNETCORE_", "DOTNET_ENVIRONMENT", "CONNECTIONSTRINGS__", "STRIPE_", "CLERK_", "MEDIAFORGE"];

    /// <summary>Runs <c>dotnet args</c> in <paramref name="directory"/> and returns its output; fails with the output when it does not exit 0.</summary>
    public static async Task<string> RunAsync(string directory, IReadOnlyList<string> args, TimeSpan? timeout = null)
    {
        using var process = Start(directory, args, new Dictionary<string, string>());
        using var deadline = new CancellationTokenSource(timeout ?? DefaultTimeout);
        try
        {
            await process.Process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            throw new InvalidOperationException($"`dotnet {string.Join(' ', args)}` did not finish within {timeout ?? DefaultTimeout}:\n{process.Output}");
        }

        process.Process.WaitForExit(); // drains the output events
        if (process.Process.ExitCode != 0)
            throw new InvalidOperationException(
                $"`dotnet {string.Join(' ', args)}` in {directory} exited with {process.Process.ExitCode} (it needs the dotnet CLI and the NuGet feed):\n{process.Output}");
        return process.Output;
    }

    /// <summary>Starts <c>dotnet args</c> in <paramref name="directory"/> with extra environment variables; the caller stops it.</summary>
    public static RunningDotnet Start(string directory, IReadOnlyList<string> args, IReadOnlyDictionary<string, string> environment)
    {
        var startInfo = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in args) startInfo.ArgumentList.Add(arg);
        foreach (var name in startInfo.Environment.Keys.ToList())
            if (RemovedPrefixes.Any(p => name.StartsWith(p, StringComparison.OrdinalIgnoreCase)))
                startInfo.Environment.Remove(name);
        startInfo.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        startInfo.Environment["DOTNET_NOLOGO"] = "1";
        startInfo.Environment["DOTNET_CLI_UI_LANGUAGE"] = "en";
        foreach (var (name, value) in environment) startInfo.Environment[name] = value;
        return new RunningDotnet(startInfo);
    }
}

/// <summary>A started dotnet process and everything it printed so far; disposing it stops the whole process tree.</summary>
internal sealed class RunningDotnet : IDisposable
{
    private readonly StringBuilder output = new();

    public RunningDotnet(ProcessStartInfo startInfo)
    {
        Process = new Process { StartInfo = startInfo };
        Process.OutputDataReceived += (_, e) => Append(e.Data);
        Process.ErrorDataReceived += (_, e) => Append(e.Data);
        Process.Start();
        Process.StandardInput.Close();
        Process.BeginOutputReadLine();
        Process.BeginErrorReadLine();
    }

    public Process Process { get; }

    public string Output
    {
        get { lock (output) return output.ToString(); }
    }

    public void Dispose()
    {
        try
        {
            if (!Process.HasExited) Process.Kill(entireProcessTree: true);
            Process.WaitForExit(30_000);
        }
        catch (InvalidOperationException)
        {
            // never started or already gone
        }

        Process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (output) output.AppendLine(line);
    }
}
