using MediaForge.Credits.Purchases;
using MediaForge.Credits.Storage.Configurations;

namespace MediaForge.Credits.AspNetCore.Clerk;

/// <summary>
/// The fields of a Clerk <c>user.*</c> event that the credit system keeps, each read with a bounded length and kind.
/// </summary>
/// <param name="Type">The event type (at most <see cref="MaxTypeLength"/> characters).</param>
/// <param name="UserId">Clerk's user id; empty for an event the webhook ignores.</param>
/// <param name="Email">The primary e-mail address, when the event carries one.</param>
/// <param name="DisplayName">First and last name, else the username.</param>
/// <param name="Role">The <c>public_metadata.role</c> (only compared with the admin role).</param>
/// <param name="Version">
/// Clerk's <c>data.updated_at</c> (milliseconds since the epoch), else the envelope's <c>timestamp</c>; for a
/// <c>user.deleted</c> (which has no <c>updated_at</c>) the envelope's, if any.
/// </param>
/// <param name="ReferralCode">The <c>unsafe_metadata.referral_code</c> of a <c>user.created</c> (the user's own input: only a short string counts).</param>
internal sealed record ClerkEvent(string Type, string UserId, string? Email, string? DisplayName, string? Role, long? Version, string? ReferralCode = null)
{
    public const string UserCreated = "user.created";
    public const string UserUpdated = "user.updated";
    public const string UserDeleted = "user.deleted";

    /// <summary>The <c>webhook_events.type</c> column.</summary>
    public const int MaxTypeLength = 100;

    /// <summary>The <c>users.display_name</c> column: longer names are cut, a longer part is refused.</summary>
    public const int MaxDisplayNameLength = 256;

    /// <summary>The longest role compared with the admin role; a longer one never matches.</summary>
    public const int MaxRoleLength = 256;

    /// <summary>The longest referral code read; anything longer, or not a string, is no code (the webhook does not fail for it).</summary>
    public const int MaxReferralCodeLength = 64;

    /// <summary>The longest id of an e-mail address object read (Clerk's are about 30 characters).</summary>
    private const int MaxObjectIdLength = 128;

    /// <summary>Whether the webhook acts on events of this type (the others are acknowledged and ignored).</summary>
    public bool IsHandled => Type is UserCreated or UserUpdated or UserDeleted;

    /// <summary>Parses Clerk's envelope <c>{ "type": ..., "timestamp": ..., "data": { user } }</c>.</summary>
    /// <exception cref="JsonException">The body is not JSON (or nested more than 64 deep).</exception>
    /// <exception cref="FormatException">A field the webhook reads is missing, of the wrong kind, or too long.</exception>
    public static ClerkEvent Parse(string body)
    {
        using var document = JsonDocument.Parse(body);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("The event is not a JSON object.");
        }

        var type = OptionalString(root, "type", MaxTypeLength) ?? throw new FormatException("The event has no type.");
        // Stryker disable once String : equivalent: an event of another type is answered "ignored" from its type alone; its user id is never read
        var unhandled = new ClerkEvent(type, "", null, null, null, null);
        if (!unhandled.IsHandled)
        {
            return unhandled;
        }

        if (!root.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("The user event has no data object.");
        }

        var userId = OptionalString(data, "id", CreditsModelLimits.UserId);
        if (!IsUserId(userId))
        {
            throw new FormatException($"The user event's data.id must be 1 to {CreditsModelLimits.UserId} characters without spaces or control characters, outside the reserved 'mf:' space.");
        }

        var timestamp = OptionalStamp(root, "timestamp");
        if (type == UserDeleted)
        {
            return new ClerkEvent(type, userId, null, null, null, timestamp);
        }

        var version = OptionalStamp(data, "updated_at") ?? timestamp
            ?? throw new FormatException("The user event has neither data.updated_at nor timestamp.");
        return new ClerkEvent(type, userId, ReadPrimaryEmail(data), ReadDisplayName(data), ReadRole(data), version,
            type == UserCreated ? ReadMetadataString(data, "unsafe_metadata", "referral_code", MaxReferralCodeLength) : null);
    }

    /// <summary>
    /// Whether a Clerk user id can name a credit user: 1 to 128 characters, no spaces or control characters, and not in
    /// the reserved <c>mf:</c> space of the library's own accounts (team wallets).
    /// </summary>
    internal static bool IsUserId([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] string? userId) =>
        !string.IsNullOrEmpty(userId) && !userId.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))
        && !userId.StartsWith(MediaForge.Credits.Ledger.CreditOperationKeys.ReservedPrefix, StringComparison.Ordinal);

    private static string? ReadPrimaryEmail(JsonElement data)
    {
        if (!data.TryGetProperty("email_addresses", out var emails) || emails.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (emails.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException("data.email_addresses is not an array.");
        }

        var primaryId = OptionalString(data, "primary_email_address_id", MaxObjectIdLength);
        foreach (var entry in emails.EnumerateArray())
        {
            if (entry.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException("An entry of data.email_addresses is not an object.");
            }

            var address = OptionalString(entry, "email_address", CreditEmailFingerprint.MaxEmailLength);
            if (address is not null && (primaryId is null || OptionalString(entry, "id", MaxObjectIdLength) == primaryId))
            {
                return address;
            }
        }

        return null;
    }

    private static string? ReadDisplayName(JsonElement data)
    {
        var parts = new[] { OptionalString(data, "first_name", MaxDisplayNameLength), OptionalString(data, "last_name", MaxDisplayNameLength) };
        var name = string.Join(' ', parts.Where(p => !string.IsNullOrWhiteSpace(p)));
        return name.Length > 0 ? name[..Math.Min(name.Length, MaxDisplayNameLength)] : OptionalString(data, "username", MaxDisplayNameLength);
    }

    /// <summary>The role is the host's own metadata: anything but a short string is simply not a role.</summary>
    private static string? ReadRole(JsonElement data) => ReadMetadataString(data, "public_metadata", "role", MaxRoleLength);

    /// <summary>A string of a metadata object, or <see langword="null"/> for anything else (missing, another kind, too long).</summary>
    private static string? ReadMetadataString(JsonElement data, string metadataName, string name, int maxLength) =>
        data.TryGetProperty(metadataName, out var metadata) && metadata.ValueKind == JsonValueKind.Object
        && metadata.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
        && value.GetString() is { } text && text.Length <= maxLength ? text : null;

    /// <returns>The string, or <see langword="null"/> when the property is missing or null.</returns>
    /// <exception cref="FormatException">The property is another kind, or longer than <paramref name="maxLength"/>.</exception>
    internal static string? OptionalString(JsonElement element, string name, int maxLength)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            throw new FormatException($"'{name}' is not a string.");
        }

        var text = value.GetString()!;
        return text.Length <= maxLength ? text : throw new FormatException($"'{name}' is longer than {maxLength} characters.");
    }

    /// <returns>Milliseconds since the epoch, or <see langword="null"/> when the property is missing or null.</returns>
    /// <exception cref="FormatException">The property is not a whole number of zero or more.</exception>
    internal static long? OptionalStamp(JsonElement element, string name) =>
        !element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null ? null
        : value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var stamp) && stamp >= 0 ? stamp
        : throw new FormatException($"'{name}' is not a time in milliseconds since the epoch.");
}
