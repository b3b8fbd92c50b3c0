using System.Globalization;
using System.Text.Json;

namespace MediaForge.Credits.Internal;

/// <summary>Normalizes and validates the arguments every credit operation takes.</summary>
internal static class CreditArguments
{
    public const int MaxIdempotencyKeyLength = 200;

    public static string UserId(string userId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(userId);
        return userId;
    }

    /// <summary>Feature and model names are case-insensitive: stored and compared in lower case.</summary>
    public static string Name(string value, string parameterName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value, parameterName);
        return value.Trim().ToLower(CultureInfo.InvariantCulture);
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
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(pageSize, 500);
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
