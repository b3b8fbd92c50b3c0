using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace MediaForge.Credits.Package.Tests.Infrastructure;

/// <summary>The tests that share one packed feed and one running consumer host.</summary>
[CollectionDefinition(Name)]
public sealed class PackageConsumerCollection : ICollectionFixture<PackageConsumer>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "package consumer";
}

/// <summary>
/// Packs both packages, builds a fresh host from the README with them, signs users in with <c>dotnet user-jwts</c> and
/// runs it (Development, a free loopback port) for the tests to call over HTTP. Cleans up its folders, the host's user
/// secrets and this run's version in the global packages folder.
/// </summary>
public sealed class PackageConsumer : IAsyncLifetime
{
    /// <summary>The users that get a token, one per test that moves credits.</summary>
    public static readonly string[] Users = ["user_signed", "user_readme", "user_video", "user_buyer"];

    private readonly string workRoot = Path.Combine(Path.GetTempPath(), "mediaforge-package-" + Guid.NewGuid().ToString("N"));
    private readonly Dictionary<string, string> tokens = new(StringComparer.Ordinal);
    private ConsumerProject? project;
    private RunningDotnet? host;
    private string? globalPackages;

    /// <summary>The packed packages.</summary>
    internal PackageFeed Feed { get; private set; } = null!;

    /// <summary>The running host's address.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>The Clerk webhook signing secret the host was started with (<c>CLERK_WEBHOOK_SECRET</c>).</summary>
    public string ClerkWebhookSecret { get; } = "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));

    /// <summary>What the host printed so far, for failure messages.</summary>
    public string HostOutput => host?.Output ?? "";

    /// <summary>The <c>dotnet user-jwts</c> token of <paramref name="user"/>.</summary>
    public string TokenOf(string user) => tokens[user];

    /// <summary>A client for the host that does not follow redirects.</summary>
    public HttpClient CreateClient() => new(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = BaseAddress };

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(workRoot);
        Feed = await PackageFeed.PackAsync(workRoot, TimeProvider.System);
        project = await ConsumerProject.CreateAsync(Path.Combine(workRoot, "host"), Feed);
        globalPackages = await GlobalPackagesFolderAsync(project.Directory);
        await project.InstallFromReadmeAsync(Feed.Version);
        project.WriteReadmeHost();
        foreach (var user in Users) tokens[user] = await project.CreateUserJwtAsync(user);
        await project.BuildAsync();

        BaseAddress = new Uri($"http://127.0.0.1:{FreeLoopbackPort()}");
        host = DotnetCli.Start(project.Directory, [project.AssemblyPath], new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["ASPNETCORE_URLS"] = BaseAddress.ToString(),
            ["CLERK_WEBHOOK_SECRET"] = ClerkWebhookSecret,
        });
        await WaitUntilServingAsync();
    }

    /// <inheritdoc />
    public Task DisposeAsync()
    {
        host?.Dispose();
        if (project?.UserSecretsId is { Length: > 0 } secretsId)
            DeleteQuietly(Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".microsoft", "usersecrets", secretsId));
        if (globalPackages is not null && Feed is not null)
            foreach (var id in PackageFeed.PackageIds)
                DeleteQuietly(Path.Combine(globalPackages, id.ToLowerInvariant(), Feed.Version.ToLowerInvariant()));
        DeleteQuietly(workRoot);
        return Task.CompletedTask;
    }

    private async Task WaitUntilServingAsync()
    {
        using var client = CreateClient();
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        while (true)
        {
            if (host!.Process.HasExited)
                throw new InvalidOperationException($"The consumer host exited with {host.Process.ExitCode}:\n{host.Output}");
            try
            {
                using var response = await client.GetAsync("/api/credits/packages", deadline.Token);
                if (response.IsSuccessStatusCode) return;
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            catch (OperationCanceledException)
            {
                throw new InvalidOperationException("The consumer host never answered GET /api/credits/packages:\n" + host.Output);
            }

            await Task.Delay(250, CancellationToken.None);
        }
    }

    private static async Task<string> GlobalPackagesFolderAsync(string directory)
    {
        var output = await DotnetCli.RunAsync(directory, ["nuget", "locals", "global-packages", "--list"]);
        var at = output.IndexOf("global-packages:", StringComparison.Ordinal);
        Assert.True(at >= 0, "`dotnet nuget locals global-packages --list` printed no folder:\n" + output);
        return output[(at + "global-packages:".Length)..].Trim();
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void DeleteQuietly(string directory)
    {
        try
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // a leftover temp folder is harmless
        }
        catch (UnauthorizedAccessException)
        {
            // idem
        }
    }
}
