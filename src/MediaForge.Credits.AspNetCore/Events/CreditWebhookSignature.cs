using MediaForge.Credits.AspNetCore.Clerk;

namespace MediaForge.Credits.AspNetCore.Events;

/// <summary>
/// The Standard Webhooks headers of an outbound delivery: <c>webhook-id</c> (the event id, the same on every retry, for
/// the receiver's de-duplication), <c>webhook-timestamp</c> (Unix seconds of the attempt) and <c>webhook-signature</c>
/// (<c>v1,</c> and base64 of HMAC-SHA256 over <c>{id}.{timestamp}.{body}</c> with the secret's key, as Clerk's Svix does).
/// </summary>
internal static class CreditWebhookSignature
{
    public const string IdHeader = "webhook-id";
    public const string TimestampHeader = "webhook-timestamp";
    public const string SignatureHeader = "webhook-signature";

    public static void Sign(HttpRequestMessage request, string secret, string id, DateTimeOffset now, string body)
    {
        var seconds = now.ToUnixTimeSeconds();
        request.Headers.Add(IdHeader, id);
        request.Headers.Add(TimestampHeader, seconds.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add(SignatureHeader, SvixSignatureVerifier.Sign(secret, id, seconds, body));
    }

    /// <summary>Whether <paramref name="secret"/> is <c>whsec_</c> and base64 of 24 to 64 bytes.</summary>
    public static bool IsValidSecret(string? secret)
    {
        if (secret is null || !secret.StartsWith("whsec_", StringComparison.Ordinal) || secret.Length > 200)
        {
            return false;
        }

        var buffer = new byte[secret.Length];
        return Convert.TryFromBase64String(secret[6..], buffer, out var written) && written is >= 24 and <= 64;
    }
}
