using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace MediaForge.Credits.AspNetCore.Endpoints;

/// <summary>
/// The app's own addresses, from configuration or from the server's listening addresses, never from a request's
/// <c>Host</c> header (which a client chooses): <see cref="PublicBase"/> for URLs a browser follows,
/// <see cref="SelfBase"/> for the app calling its own endpoints (the development gateway's webhooks).
/// </summary>
internal sealed class CreditsPublicAddress(IOptions<CreditsHttpOptions> http, IServiceProvider services)
{
    private const string Fallback = "http://localhost";

    /// <summary><see cref="CreditsHttpOptions.PublicBaseUrl"/>, else the server's listening address, else <c>http://localhost</c>; no trailing slash.</summary>
    public string PublicBase => Configured() ?? Listening() ?? Fallback;

    /// <summary>The server's listening address (a loopback name for a wildcard), else <see cref="PublicBase"/>; no trailing slash.</summary>
    public string SelfBase => Listening() ?? Configured() ?? Fallback;

    public static bool IsValidBase(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.Query.Length == 0
        && uri.Fragment.Length == 0 && uri.UserInfo.Length == 0 && !url.Contains('?', StringComparison.Ordinal) && !url.Contains('#', StringComparison.Ordinal);

    /// <summary>An absolute http(s) URL as is; a path made absolute on <see cref="PublicBase"/>.</summary>
    public string Absolute(string url) =>
        url.StartsWith("https://", StringComparison.OrdinalIgnoreCase) || url.StartsWith("http://", StringComparison.OrdinalIgnoreCase)
            ? url
            : PublicBase + "/" + url.TrimStart('/');

    private string? Configured() => string.IsNullOrWhiteSpace(http.Value.PublicBaseUrl) ? null : http.Value.PublicBaseUrl.TrimEnd('/');

    private string? Listening()
    {
        var addresses = services.GetService<IServer>()?.Features.Get<IServerAddressesFeature>()?.Addresses;
        if (addresses is null || addresses.Count == 0)
        {
            return null;
        }

        var address = addresses.FirstOrDefault(a => a.StartsWith("http://", StringComparison.OrdinalIgnoreCase)) ?? addresses.First();
        if (!Uri.TryCreate(address.Replace("://*", "://localhost", StringComparison.Ordinal).Replace("://+", "://localhost", StringComparison.Ordinal),
                UriKind.Absolute, out var uri))
        {
            return null;
        }

        return $"{uri.Scheme}://{(uri.Host is "0.0.0.0" or "[::]" ? "localhost" : uri.Host)}:{uri.Port}";
    }
}
