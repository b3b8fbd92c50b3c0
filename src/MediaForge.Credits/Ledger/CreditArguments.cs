using System.Globalization;
using System.Text.Json;

namespace MediaForge.Credits.Ledger;

/// <summary>Normalizes and validates the arguments every credit operation takes.</summary>
internal static class CreditArguments
{
    public const int MaxIdempotencyKeyLength = CreditLimits.MaxIdempotencyKeyLength;

    public static string UserId(string userId, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(userId))] string? parameterName = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(userId, parameterName);
        if (userId.Length > CreditLimits.MaxUserIdLength)
        {
            throw new ArgumentException(
                $"The user id '{userId[..20]}...' is {userId.Length} characters long; at most {CreditLimits.MaxUserIdLength} are allowed.", parameterName);
        }

        if (CreditOperationKeys.IsReserved(userId))
        {
            // The library's own accounts (team wallets, mf:team:{id}) live there: a caller naming one would spend from it.
            throw new ArgumentException(
                $"User ids that start with '{CreditOperationKeys.ReservedPrefix}' are reserved for the library's own accounts (team wallets).", parameterName);
        }

        return userId;
    }

    /// <summary>A positive amount of credits of one operation, at most <see cref="CreditLimits.MaxAmount"/>.</summary>
    public static long Amount(long amount, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(amount))] string? parameterName = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(amount, parameterName);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(amount, CreditLimits.MaxAmount, parameterName);
        return amount;
    }

    /// <summary>Feature and model names are case-insensitive: stored and compared in lower case.</summary>
    public static string Name(string value, string parameterName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value, parameterName);
        var name = value.Trim();
        if (name.Length > CreditLimits.MaxNameLength)
        {
            throw new ArgumentException(
                $"The name '{name[..20]}...' is {name.Length} characters long; at most {CreditLimits.MaxNameLength} are allowed.", parameterName);
        }

        return name.ToLower(CultureInfo.InvariantCulture);
    }

    public static string? IdempotencyKey(string? idempotencyKey)
    {
        if (idempotencyKey is null)
        {
            return null;
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(idempotencyKey);
        if (idempotencyKey.Length > MaxIdempotencyKeyLength)
        {
            throw new ArgumentException(
                $"The idempotency key '{idempotencyKey[..20]}...' is {idempotencyKey.Length} characters long; at most {MaxIdempotencyKeyLength} are allowed.",
                nameof(idempotencyKey));
        }

        if (CreditOperationKeys.IsReserved(idempotencyKey))
        {
            throw new ArgumentException(
                $"Idempotency keys that start with '{CreditOperationKeys.ReservedPrefix}' are reserved for the library's own operations.",
                nameof(idempotencyKey));
        }

        return idempotencyKey;
    }

    public static void Page(int page, int pageSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(page, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(page, CreditLimits.MaxPage);
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(pageSize, CreditLimits.MaxPageSize);
    }

    /// <summary>Serializes caller metadata (any object, anonymous types included) to JSON.</summary>
    public static string? Metadata(object? metadata) => metadata switch
    {
        null => null,
        JsonElement element => element.GetRawText(),
        JsonDocument document => document.RootElement.GetRawText(),
        _ => JsonSerializer.Serialize(metadata, metadata.GetType(), JsonSerializerOptions.Web),
    };
}
