using MediaForge.Credits.Storage.Configurations;

namespace MediaForge.Credits.AspNetCore.Clerk;

/// <summary>
/// The fields of a Clerk <c>organization.*</c> or <c>organizationMembership.*</c> event that teams keep, each read with a
/// bounded length and kind. <c>organization.created/updated</c> carry the organization (<c>id</c>, <c>name</c>,
/// <c>updated_at</c>); <c>organization.deleted</c> only its <c>id</c>; a membership event the membership (<c>role</c>,
/// <c>updated_at</c>, <c>organization</c> and <c>public_user_data.user_id</c>).
/// </summary>
/// <param name="Type">The event type.</param>
/// <param name="TeamId">The organization id (the team id).</param>
/// <param name="Name">The organization's name, when the event carries it.</param>
/// <param name="TeamVersion">The organization's <c>updated_at</c> (ms), when the event carries it.</param>
/// <param name="UserId">The member's user id (membership events).</param>
/// <param name="Role">
/// The member's role: <see cref="CreditTeamRole.Owner"/> for the organization's creator (<c>organization.created_by</c>),
/// <see cref="CreditTeamRole.Admin"/> for <c>org:admin</c>, <see cref="CreditTeamRole.Member"/> for any other role.
/// </param>
/// <param name="Version">
/// The membership state's version (ms): <c>data.updated_at</c>, else the envelope's <c>timestamp</c>; for a deletion the
/// later of the two (a deleted membership's <c>updated_at</c> is its last change, not the removal).
/// </param>
internal sealed record ClerkOrganizationEvent(string Type, string TeamId, string? Name, long? TeamVersion, string? UserId, CreditTeamRole Role, long Version)
{
    public const string OrganizationCreated = "organization.created";
    public const string OrganizationUpdated = "organization.updated";
    public const string OrganizationDeleted = "organization.deleted";
    public const string MembershipCreated = "organizationMembership.created";
    public const string MembershipUpdated = "organizationMembership.updated";
    public const string MembershipDeleted = "organizationMembership.deleted";

    /// <summary>Clerk's admin role key.</summary>
    public const string AdminRole = "org:admin";

    /// <summary>The longest role read (Clerk's role keys are short); a longer one is refused.</summary>
    private const int MaxRoleLength = 256;

    public static bool Handles(string type) => type is OrganizationCreated or OrganizationUpdated or OrganizationDeleted
        or MembershipCreated or MembershipUpdated or MembershipDeleted;

    public bool IsMembership => Type is MembershipCreated or MembershipUpdated or MembershipDeleted;

    public bool IsDeletion => Type is OrganizationDeleted or MembershipDeleted;

    /// <summary>Parses the envelope of an event <see cref="Handles"/> accepts.</summary>
    /// <exception cref="JsonException">The body is not JSON.</exception>
    /// <exception cref="FormatException">A field the webhook reads is missing, of the wrong kind, or too long.</exception>
    public static ClerkOrganizationEvent Parse(string type, string body)
    {
        using var document = JsonDocument.Parse(body);
        var root = document.RootElement;
        if (!root.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("The organization event has no data object.");
        }

        var timestamp = ClerkEvent.OptionalStamp(root, "timestamp");
        if (!type.StartsWith("organizationMembership.", StringComparison.Ordinal))
        {
            var teamId = ReadTeamId(data, "data.id");
            if (type == OrganizationDeleted)
            {
                // Stryker disable once NullCoalescing : equivalent: a deletion freezes its team for good whatever its version (CreditTeamMirror.FreezeAsync takes none)
                return new ClerkOrganizationEvent(type, teamId, null, null, null, CreditTeamRole.Member, timestamp ?? 0);
            }

            var version = ClerkEvent.OptionalStamp(data, "updated_at") ?? timestamp ?? throw new FormatException("The organization event has neither data.updated_at nor timestamp.");
            return new ClerkOrganizationEvent(type, teamId, ReadName(data), version, null, CreditTeamRole.Member, version);
        }

        if (!data.TryGetProperty("organization", out var organization) || organization.ValueKind != JsonValueKind.Object
            || !data.TryGetProperty("public_user_data", out var user) || user.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("The membership event has no organization or public_user_data object.");
        }

        var userId = ClerkEvent.OptionalString(user, "user_id", CreditsModelLimits.UserId);
        if (!ClerkEvent.IsUserId(userId))
        {
            throw new FormatException($"The membership's public_user_data.user_id must be 1 to {CreditsModelLimits.UserId} characters without spaces or control characters, outside the reserved 'mf:' space.");
        }

        var updated = ClerkEvent.OptionalStamp(data, "updated_at");
        var stamp = type == MembershipDeleted ? Later(updated, timestamp) : updated ?? timestamp;
        var creator = ClerkEvent.OptionalString(organization, "created_by", CreditsModelLimits.UserId);
        var role = ClerkEvent.OptionalString(data, "role", MaxRoleLength);
        return new ClerkOrganizationEvent(type, ReadTeamId(organization, "data.organization.id"),
            organization.TryGetProperty("name", out _) ? ReadName(organization) : null, ClerkEvent.OptionalStamp(organization, "updated_at"), userId,
            userId == creator ? CreditTeamRole.Owner : role == AdminRole ? CreditTeamRole.Admin : CreditTeamRole.Member,
            stamp ?? throw new FormatException("The membership event has neither data.updated_at nor timestamp."));
    }

    private static long? Later(long? a, long? b) => a is null ? b : b is null ? a : Math.Max(a.Value, b.Value);

    private static string ReadTeamId(JsonElement element, string field)
    {
        var id = ClerkEvent.OptionalString(element, "id", CreditWallet.MaxTeamIdLength);
        return !string.IsNullOrEmpty(id) && !id.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)) ? id
            : throw new FormatException($"The event's {field} must be 1 to {CreditWallet.MaxTeamIdLength} characters without spaces or control characters.");
    }

    /// <summary>The organization's name, cut to the column's length; a missing or blank one is the id.</summary>
    private static string ReadName(JsonElement organization)
    {
        var name = ClerkEvent.OptionalString(organization, "name", 4096)?.Trim();
        name = name is null ? null : new string(name.Where(c => !char.IsControl(c)).ToArray());
        // Stryker disable once String : the field name is only for the message of an invalid id, and the id was read and checked before the name
        return string.IsNullOrEmpty(name) ? ReadTeamId(organization, "id") : name[..Math.Min(name.Length, CreditsModelLimits.TeamName)];
    }
}
