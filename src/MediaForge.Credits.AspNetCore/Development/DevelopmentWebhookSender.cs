using System.Net.Http.Json;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace MediaForge.Credits.AspNetCore.Development;

/// <summary>Posts a signed webhook body to an endpoint of the running host (same scheme, host and path base as the current request).</summary>
internal sealed class DevelopmentWebhookSender(IHttpClientFactory clients)
{
    /// <summary>The name of the <see cref="HttpClient"/> used (a host or a test can configure its handler).</summary>
    public const string ClientName = "MediaForge.Credits.Development";

    public async Task<(bool Success, int Status, string Body, WebhookReceipt? Receipt)> PostAsync(
        HttpRequest current, string path, string body, IEnumerable<KeyValuePair<string, string>> headers, CancellationToken cancellationToken)
    {
        var url = $"{current.Scheme}://{current.Host}{current.PathBase}/{path.TrimStart('/')}";
        using var message = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        foreach (var header in headers)
        {
            message.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        using var client = clients.CreateClient(ClientName);
        using var response = await client.SendAsync(message, cancellationToken).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        WebhookReceipt? receipt = null;
        if (response.IsSuccessStatusCode)
        {
            receipt = await response.Content.ReadFromJsonAsync<WebhookReceipt>(cancellationToken).ConfigureAwait(false);
        }

        return (response.IsSuccessStatusCode, (int)response.StatusCode, text, receipt);
    }
}
