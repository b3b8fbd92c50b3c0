using System.Collections.Frozen;
using System.Security.Cryptography;

namespace MediaForge.Credits.AspNetCore.Components;

/// <summary>
/// The embedded component modules: <c>credits.js</c> (the entry hosts load) and the modules it imports from the same
/// folder, one per component, each with a content hash for ETag revalidation.
/// </summary>
internal static class CreditComponentsModule
{
    /// <summary>The entry module's file name.</summary>
    public const string Entry = "credits.js";

    /// <summary>Every module served, entry first.</summary>
    public static readonly IReadOnlyList<string> Names = [Entry, "credits-core.js", "credit-display.js", "credit-purchase.js", "credit-referral.js", "credit-gift.js", "credit-auto-top-up.js"];

    private static readonly Lazy<FrozenDictionary<string, (byte[] Content, string ETag)>> Modules = new(() =>
        Names.ToFrozenDictionary(name => name, Load, StringComparer.Ordinal));

    /// <summary>Serves the module <paramref name="name"/> (one of <see cref="Names"/>).</summary>
    public static IResult Serve(HttpContext context, string name)
    {
        var (content, etag) = Modules.Value[name];
        context.Response.Headers.ETag = etag;
        context.Response.Headers.CacheControl = "no-cache";
        context.Response.Headers.XContentTypeOptions = "nosniff";
        return context.Request.Headers.IfNoneMatch.Contains(etag)
            ? TypedResults.StatusCode(StatusCodes.Status304NotModified)
            : TypedResults.Bytes(content, "text/javascript; charset=utf-8");
    }

    private static (byte[] Content, string ETag) Load(string name)
    {
        using var stream = typeof(CreditComponentsModule).Assembly.GetManifestResourceStream("MediaForge.Credits.AspNetCore." + name)
            ?? throw new InvalidOperationException($"The embedded component module {name} is missing.");
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        var content = buffer.ToArray();
        return (content, $"\"{Convert.ToHexStringLower(SHA256.HashData(content))[..32]}\"");
    }
}
