using System.Text;

namespace MediaForge.Credits.AspNetCore.Development;

/// <summary>
/// Posts a signed webhook body to an endpoint of the running host, at the app's own address (its listening address,
/// else <see cref="CreditsHttpOptions.PublicBaseUrl"/>), never at one taken from a request's <c>Host</c> header. Redirects
/// are not followed and at most <see cref="MaxAnswerBytes"/> of the answer are read.
/// </summary>
internal sealed class DevelopmentWebhookSender(IHttpClientFactory clients, CreditsPublicAddress address)
{
    /// <summary>The name of the <see cref="HttpClient"/> used (a host or a test can configure its handler).</summary>
    public const string ClientName = "MediaForge.Credits.Development";

    /// <summary>The most of a webhook's answer that is read (a receipt is far smaller).</summary>
    public const int MaxAnswerBytes = 16 * 1024;

    /// <returns>Whether the endpoint accepted the delivery, its status and its receipt (the answer's body is never returned).</returns>
    public async Task<(bool Success, int Status, WebhookReceipt? Receipt)> PostAsync(
        string path, string body, IEnumerable<KeyValuePair<string, string>> headers, CancellationToken cancellationToken)
    {
        var url = address.SelfBase + "/" + path.TrimStart('/');
        using var message = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        foreach (var header in headers)
        {
            message.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        using var client = clients.CreateClient(ClientName);
        using var response = await client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            return (false, (int)response.StatusCode, null);
        }

        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var buffer = new byte[MaxAnswerBytes];
        var length = 0;
        int read;
        while (length < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false)) > 0)
        {
            length += read;
        }

        try
        {
            return (true, (int)response.StatusCode, JsonSerializer.Deserialize<WebhookReceipt>(buffer.AsSpan(0, length), JsonSerializerOptions.Web));
        }
        catch (JsonException)
        {
            return (true, (int)response.StatusCode, null);
        }
    }
}
