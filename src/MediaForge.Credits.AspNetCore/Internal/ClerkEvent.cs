using System.Text.Json;

namespace MediaForge.Credits.AspNetCore.Internal;

/// <summary>The fields of a Clerk <c>user.*</c> event that the credit system keeps.</summary>
internal sealed record ClerkEvent(string Type, string UserId, string? Email, string? DisplayName, string? Role)
{
    /// <summary>Parses Clerk's envelope <c>{ "type": ..., "data": { user } }</c>.</summary>
    /// <exception cref="JsonException">The body is not JSON.</exception>
    /// <exception cref="InvalidOperationException">A required field is missing or of the wrong kind.</exception>
    public static ClerkEvent Parse(string body)
    {
        using var document = JsonDocument.Parse(body);
        var root = document.RootElement;
        var type = root.GetProperty("type").GetString() ?? throw new InvalidOperationException("The event has no type.");
        var data = root.GetProperty("data");
        if (!type.StartsWith("user.", StringComparison.Ordinal))
        {
            return new ClerkEvent(type, "", null, null, null);
        }

        var userId = data.GetProperty("id").GetString();
        if (string.IsNullOrWhiteSpace(userId))
        {
            throw new InvalidOperationException("The user event has no data.id.");
        }

        return new ClerkEvent(type, userId, ReadPrimaryEmail(data), ReadDisplayName(data), ReadRole(data));
    }

    private static string? ReadPrimaryEmail(JsonElement data)
    {
        if (!data.TryGetProperty("email_addresses", out var emails) || emails.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        var primaryId = String(data, "primary_email_address_id");
        return emails.EnumerateArray()
            .Where(e => primaryId is null || String(e, "id") == primaryId)
            .Select(e => String(e, "email_address"))
            .FirstOrDefault(e => e is not null);
    }

    private static string? ReadDisplayName(JsonElement data)
    {
        var name = string.Join(' ', new[] { String(data, "first_name"), String(data, "last_name") }.Where(p => !string.IsNullOrWhiteSpace(p)));
        return name.Length > 0 ? name : String(data, "username");
    }

    private static string? ReadRole(JsonElement data) =>
        data.TryGetProperty("public_metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object ? String(metadata, "role") : null;

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
