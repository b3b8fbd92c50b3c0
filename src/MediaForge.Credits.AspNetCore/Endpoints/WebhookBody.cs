using System.Text;

namespace MediaForge.Credits.AspNetCore.Endpoints;

/// <summary>Reads a webhook's raw body (signatures cover the exact bytes) up to a size limit.</summary>
internal static class WebhookBody
{
    /// <summary>
    /// The first steps every webhook takes before its signature check: refuse when its secret is not configured (503),
    /// then read the body up to <c>maxBytes</c> (413 when larger). <c>secretName</c> is how the problem names a missing
    /// secret, e.g. "The Stripe webhook secret (STRIPE_WEBHOOK_SECRET)".
    /// </summary>
    /// <returns>The body, or the problem to answer instead.</returns>
    public static async Task<(string? Body, ProblemHttpResult? Problem)> ReadSignedAsync(
        HttpRequest request, string? secret, string secretName, int maxBytes, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(secret))
        {
            return (null, CreditProblems.NotConfigured(secretName));
        }

        return await ReadAsync(request, maxBytes, cancellationToken).ConfigureAwait(false) is { } body
            ? (body, null)
            : (null, CreditProblems.PayloadTooLarge("The webhook body is too large.", maxBytes));
    }

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
