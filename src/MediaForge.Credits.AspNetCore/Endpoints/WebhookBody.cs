using System.Text;
using Microsoft.AspNetCore.Http;

namespace MediaForge.Credits.AspNetCore.Endpoints;

/// <summary>Reads a webhook's raw body (signatures cover the exact bytes) up to a size limit.</summary>
internal static class WebhookBody
{
    /// <returns>The body, or <see langword="null"/> when it is larger than <paramref name="maxBytes"/>.</returns>
    public static async Task<string?> ReadAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
