using System.Security.Cryptography;
using System.Text;

namespace MediaForge.Credits.Gifts;

/// <summary>
/// Gift codes: 160 random bits from <see cref="RandomNumberGenerator"/> written as 32 base32 letters (RFC 4648 alphabet,
/// URL-safe) in eight groups of four (<c>ABCD-EFGH-…</c>). Only the SHA-256 hash of the canonical form (upper case, no
/// dashes) is stored. Parsing is lenient about what people do to a code (spaces around it, lower case, dashes left out
/// or moved, 0/1/8 for O/I/B) and strict about everything else: anything that is not 32 letters of the alphabet is no code.
/// </summary>
internal static class CreditGiftCodes
{
    /// <summary>Characters of the canonical form.</summary>
    public const int Length = 32;

    /// <summary>The longest input looked at; anything longer is no code (bounds the work on hostile input).</summary>
    public const int MaxInputLength = 64;

    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    private const int GroupLength = 4;

    /// <summary>A new code (as shown to the sender) and the hash to store.</summary>
    public static (string Code, string Hash) New()
    {
        Span<byte> random = stackalloc byte[Length * 5 / 8];
        RandomNumberGenerator.Fill(random);
        var code = Canonical(random);
        var shown = string.Join('-', Enumerable.Range(0, Length / GroupLength).Select(i => code.Substring(i * GroupLength, GroupLength)));
        return (shown, Hash(code));
    }

    /// <summary>The canonical form of 20 bytes: their base32 letters (RFC 4648), the most significant bits first.</summary>
    internal static string Canonical(ReadOnlySpan<byte> random)
    {
        var canonical = new StringBuilder(Length);
        var (buffer, bits) = (0, 0);
        foreach (var b in random)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                bits -= 5;
                // Stryker disable once Bitwise : equivalent: >>> differs from >> only in the sign bits, which the & 31 drops (bits stays under 13)
                canonical.Append(Alphabet[(buffer >> bits) & 31]);
            }
        }

        return canonical.ToString();
    }

    /// <summary>The stored hash of <paramref name="input"/>, or <see langword="null"/> when it is no well-formed code.</summary>
    public static string? TryHash(string? input)
    {
        if (input is null || input.Length > MaxInputLength)
        {
            return null;
        }

        var canonical = new StringBuilder(Length);
        foreach (var raw in input.AsSpan().Trim())
        {
            if (raw == '-')
            {
                continue;
            }

            var c = raw switch { '0' => 'O', '1' => 'I', '8' => 'B', _ => char.ToUpperInvariant(raw) };
            if (!Alphabet.Contains(c, StringComparison.Ordinal) || canonical.Length == Length)
            {
                return null;
            }

            canonical.Append(c);
        }

        return canonical.Length == Length ? Hash(canonical.ToString()) : null;
    }

    private static string Hash(string canonical) => Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(canonical)));
}
