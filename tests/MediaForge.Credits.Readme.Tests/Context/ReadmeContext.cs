// The README's own application code: the names its C# blocks use that belong to the reader's app, not to the library
// (the README says so next to each block). The snippet tests compile this file with every README block; it is not
// part of the test assembly. Keep it the smallest code that gives those names a meaning.
using System.Collections.Concurrent;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

/// <summary>The app's request body for a video job.</summary>
public sealed record VideoRequest(string Prompt);

/// <summary>The app's result of a video job.</summary>
public sealed record Video(string Prompt);

/// <summary>The app's result of an image job.</summary>
public sealed record GeneratedImage(string Prompt);

/// <summary>The app's store of finished jobs, by job id.</summary>
public sealed class VideoJobs
{
    private readonly ConcurrentDictionary<string, Video> finished = new(StringComparer.Ordinal);

    /// <summary>Records a finished job.</summary>
    public Task SaveAsync(string jobId, Video video, CancellationToken ct)
    {
        finished[jobId] = video;
        return Task.CompletedTask;
    }

    /// <summary>The finished job with that id, or null.</summary>
    public Task<Video?> FindAsync(string jobId, CancellationToken ct) =>
        Task.FromResult(finished.TryGetValue(jobId, out var video) ? video : null);
}

/// <summary>The app's AI jobs (here: instant and free).</summary>
public partial class Program
{
    /// <summary>Renders a video.</summary>
    public static Task<Video> RenderAsync(string prompt, CancellationToken ct) => Task.FromResult(new Video(prompt));

    /// <summary>Generates an image.</summary>
    public static Task<GeneratedImage> GenerateAsync(string prompt) => Task.FromResult(new GeneratedImage(prompt));
}

/// <summary>
/// The host's own sign-in in the tests that run a Program.cs fragment: the user named by the <c>X-Readme-User</c>
/// header (claim <c>sub</c>). A real host uses its identity provider (the README's complete host shows Clerk).
/// </summary>
public sealed class ReadmeSignIn(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    /// <summary>The scheme name.</summary>
    public const string SchemeName = "Readme";

    /// <summary>The request header that names the signed-in user.</summary>
    public const string UserHeader = "X-Readme-User";

    /// <inheritdoc />
    protected override Task<AuthenticateResult> HandleAuthenticateAsync() =>
        Task.FromResult(Request.Headers[UserHeader].ToString() is { Length: > 0 } user
            ? AuthenticateResult.Success(new AuthenticationTicket(
                new ClaimsPrincipal(new ClaimsIdentity([new Claim("sub", user)], SchemeName)), SchemeName))
            : AuthenticateResult.NoResult());
}
