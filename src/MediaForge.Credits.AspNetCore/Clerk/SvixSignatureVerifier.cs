using System.Security.Cryptography;
using System.Text;

namespace MediaForge.Credits.AspNetCore.Clerk;

/// <summary>
/// Verifies Svix (Standard Webhooks) signatures as Clerk sends them: HMAC-SHA256 over <c>{svix-id}.{svix-timestamp}.{body}</c>
/// with the base64 key after <c>whsec_</c>; <c>svix-signature</c> holds one or more space-separated <c>v1,&lt;base64&gt;</c>
/// (several during secret rotation); the timestamp must be within the tolerance of now, in both directions.
/// </summary>
/// <remarks>
/// Written here rather than taken from the <c>StandardWebhooks</c> package: its 1.1.2 never matches a valid signature in
/// the last position of several, reads the wall clock (no <see cref="TimeProvider"/>), and pulls in extra content.
/// </remarks>
internal sealed class SvixSignatureVerifier(TimeProvider time)
{
    public const string IdHeader = "svix-id";
    public const string TimestampHeader = "svix-timestamp";
    public const string SignatureHeader = "svix-signature";

    /// <summary>Signs a payload (used by the development sign-in and by tests).</summary>
    public static string Sign(string secret, string messageId, long unixSeconds, string body) =>
        "v1," + Convert.ToBase64String(HMACSHA256.HashData(Key(secret), Encoding.UTF8.GetBytes($"{messageId}.{unixSeconds.ToString(CultureInfo.InvariantCulture)}.{body}")));

    /// <returns><see langword="null"/> when valid, else why not.</returns>
    public string? Verify(string secret, IHeaderDictionary headers, string body, TimeSpan tolerance)
    {
        var id = headers[IdHeader].ToString();
        var timestamp = headers[TimestampHeader].ToString();
        var signatures = headers[SignatureHeader].ToString();
        if (id.Length == 0 || timestamp.Length == 0 || signatures.Length == 0)
        {
            return "The svix-id, svix-timestamp and svix-signature headers are required.";
        }

        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return "The svix-timestamp header is not a number of seconds.";
        }

        if (Math.Abs(time.GetUtcNow().ToUnixTimeSeconds() - seconds) > tolerance.TotalSeconds)
        {
            return "The svix-timestamp is outside the allowed tolerance.";
        }

        var expected = Encoding.ASCII.GetBytes(Sign(secret, id, seconds, body)[3..]);
        foreach (var part in signatures.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part.StartsWith("v1,", StringComparison.Ordinal)
                && CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(part[3..])))
            {
                return null;
            }
        }

        return "No svix-signature matches the payload and secret.";
    }

    private static byte[] Key(string secret) =>
        Convert.FromBase64String(secret.StartsWith("whsec_", StringComparison.Ordinal) ? secret[6..] : secret);
}
