using System.Security.Cryptography;

namespace MediaForge.Credits.Referrals;

/// <summary>
/// Referral codes: <see cref="Length"/> characters drawn by a cryptographic generator from 31 upper-case letters and
/// digits without look-alikes (no 0/O, 1/I/L), about 49 bits: unrelated to the user id and not worth enumerating.
/// </summary>
internal static class CreditReferralCodes
{
    /// <summary>The length of a code the library makes.</summary>
    public const int Length = 10;

    /// <summary>The longest input read as a code; anything longer is an unknown code without a database read.</summary>
    public const int MaxInputLength = 64;

    private const string Alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";

    public static string Create() => new(RandomNumberGenerator.GetItems<char>(Alphabet, Length));

    /// <summary>The code as stored (trimmed, upper case), or <see langword="null"/> when it cannot be one (empty, too long, other characters).</summary>
    public static string? Normalize(string? input)
    {
        if (input is null || input.Length > MaxInputLength)
        {
            return null;
        }

        var code = input.Trim().ToUpperInvariant();
        // Stryker disable once Conditional,Logical,Linq : a code of another length or outside the alphabet matches no stored code (all are made so); the check saves the lookup
        return code.Length == Length && code.All(c => Alphabet.Contains(c, StringComparison.Ordinal)) ? code : null;
    }

    /// <summary>The ledger key of the referee's bonus (<c>mf:referral:bonus:{referee}</c>).</summary>
    public static string BonusKey(string refereeId) => CreditOperationKeys.For("referral", "bonus:" + refereeId);

    /// <summary>The ledger key of the referrer's reward for one referee (<c>mf:referral:reward:{referee}</c>).</summary>
    public static string RewardKey(string refereeId) => CreditOperationKeys.For("referral", "reward:" + refereeId);

    /// <summary>The first instant of the calendar month (UTC) of <paramref name="now"/>.</summary>
    public static DateTime MonthOf(DateTime now) => new(now.Year, now.Month, 1, 0, 0, 0, DateTimeKind.Utc);
}
