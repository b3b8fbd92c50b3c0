using System.Security.Cryptography;
using Microsoft.Net.Http.Headers;

namespace MediaForge.Credits.AspNetCore.Components;

/// <summary>The embedded <c>credits.js</c> module, with a content hash for ETag revalidation.</summary>
internal static class CreditComponentsModule
{
    private static readonly Lazy<(byte[] Content, string ETag)> Module = new(() =>
    {
        using var stream = typeof(CreditComponentsModule).Assembly.GetManifestResourceStream("MediaForge.Credits.AspNetCore.credits.js")
            ?? throw new InvalidOperationException("The embedded credits.js module is missing.");
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        var content = buffer.ToArray();
        return (content, $"\"{Convert.ToHexStringLower(SHA256.HashData(content))[..32]}\"");
    });

    public static IResult Serve(HttpContext context)
    {
        var (content, etag) = Module.Value;
        context.Response.Headers.ETag = etag;
        context.Response.Headers.CacheControl = "no-cache";
        context.Response.Headers.XContentTypeOptions = "nosniff";
        return context.Request.Headers.IfNoneMatch.Contains(etag)
            ? TypedResults.StatusCode(StatusCodes.Status304NotModified)
            : TypedResults.Bytes(content, "text/javascript; charset=utf-8");
    }
}
