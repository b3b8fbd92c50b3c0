using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace MediaForge.Credits.Package.Tests.Infrastructure;

/// <summary>
/// A Clerk webhook delivery as Svix sends it: <c>svix-id</c>, <c>svix-timestamp</c> and <c>svix-signature</c>
/// (<c>v1,</c> + base64 HMAC-SHA256 of <c>id.timestamp.body</c>, keyed with the base64 part of the <c>whsec_</c> secret).
/// Written from the Standard Webhooks scheme, independently of the add-on's verifier.
/// </summary>
internal static class SvixWebhook
{
    /// <summary>A signed Clerk <c>user.created</c> for <paramref name="userId"/>, to POST to <c>/api/webhooks/clerk</c>.</summary>
    public static HttpRequestMessage UserCreated(string secret, string userId, TimeProvider time)
    {
        var now = time.GetUtcNow();
        var body = JsonSerializer.Serialize(new
        {
            @object = "event",
            type = "user.created",
            timestamp = now.ToUnixTimeMilliseconds(),
            data = new
            {
                id = userId,
                @object = "user",
                first_name = "Test",
                primary_email_address_id = "idn_1",
                email_addresses = new[] { new { id = "idn_1", @object = "email_address", email_address = userId + "@example.com" } },
                public_metadata = new { },
                created_at = now.ToUnixTimeMilliseconds(),
            },
        });
        var id = "msg_" + Guid.NewGuid().ToString("N");
        var timestamp = now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var key = Convert.FromBase64String(secret["whsec_".Length..]);
        var signature = Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{id}.{timestamp}.{body}")));

        var request = new HttpRequestMessage(HttpMethod.Post, "/api/webhooks/clerk")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("svix-id", id);
        request.Headers.Add("svix-timestamp", timestamp);
        request.Headers.Add("svix-signature", "v1," + signature);
        return request;
    }
}
