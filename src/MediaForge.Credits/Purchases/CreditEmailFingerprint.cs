using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace MediaForge.Credits.Purchases;

/// <summary>
/// The SHA-256 hash (lower-case hex) of a normalized e-mail address: what the free-package guard keeps instead of the
/// address, so it survives the erasure of the user's personal data.
/// </summary>
internal static class CreditEmailFingerprint
{
    /// <summary>The longest address considered (RFC 5321's path limit, and the <c>users.email</c> column).</summary>
    public const int MaxEmailLength = 320;

    /// <returns>The hash, or <see langword="null"/> when <paramref name="email"/> is empty, too long or has no local part and domain.</returns>
    public static string? Compute(string? email, CreditEmailNormalization normalization) =>
        Normalize(email, normalization) is { } normalized ? Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(normalized))) : null;

    /// <returns>The address trimmed and lower-cased, then reduced per <paramref name="normalization"/>; <see langword="null"/> when unusable.</returns>
    public static string? Normalize(string? email, CreditEmailNormalization normalization)
    {
        var trimmed = email?.Trim().ToLower(CultureInfo.InvariantCulture);
        // Stryker disable once Unary : the fallback is only taken when trimmed is null, which the next line rejects first
        var at = trimmed?.LastIndexOf('@') ?? -1;
        // at < 1: no '@', or nothing before it.
        if (trimmed is null || trimmed.Length > MaxEmailLength || at < 1 || at == trimmed.Length - 1)
        {
            return null;
        }

        var (local, domain) = (trimmed[..at], trimmed[(at + 1)..]);
        if (normalization is CreditEmailNormalization.IgnoreSubaddress or CreditEmailNormalization.IgnoreSubaddressAndGmailDots
            && local.IndexOf('+', StringComparison.Ordinal) is var plus and > 0)
        {
            local = local[..plus];
        }

        if (normalization == CreditEmailNormalization.IgnoreSubaddressAndGmailDots && domain is "gmail.com" or "googlemail.com")
        {
            (local, domain) = (local.Replace(".", "", StringComparison.Ordinal), "gmail.com");
        }

        return local.Length == 0 ? null : local + "@" + domain;
    }
}
