using System.Text.Json.Nodes;

namespace MediaForge.Credits.AspNetCore.Tests.Clerk;

/// <summary>Clerk organization and membership events in the shape Clerk sends (envelope: type, timestamp, data).</summary>
public static class ClerkOrganizationPayloads
{
    public static string Organization(string type, string orgId, string name, long updatedAt, string createdBy) => new JsonObject
    {
        ["object"] = "event",
        ["type"] = type,
        ["timestamp"] = updatedAt,
        ["data"] = OrganizationObject(orgId, name, updatedAt, createdBy),
    }.ToJsonString();

    public static string OrganizationDeleted(string orgId, long timestamp) => new JsonObject
    {
        ["object"] = "event",
        ["type"] = "organization.deleted",
        ["timestamp"] = timestamp,
        ["data"] = new JsonObject { ["id"] = orgId, ["object"] = "organization", ["deleted"] = true },
    }.ToJsonString();

    /// <param name="organization">The organization as the membership carries it (name and updated_at of that time).</param>
    public static string Membership(string type, JsonObject organization, string userId, string role, long updatedAt, long? timestamp = null) => new JsonObject
    {
        ["object"] = "event",
        ["type"] = type,
        ["timestamp"] = timestamp ?? updatedAt,
        ["data"] = new JsonObject
        {
            ["id"] = "orgmem_" + userId,
            ["object"] = "organization_membership",
            ["role"] = role,
            ["created_at"] = 1_000,
            ["updated_at"] = updatedAt,
            ["organization"] = organization.DeepClone(),
            ["public_user_data"] = new JsonObject { ["user_id"] = userId, ["identifier"] = userId + "@example.com", ["first_name"] = "Jane" },
        },
    }.ToJsonString();

    public static JsonObject OrganizationObject(string orgId, string name, long updatedAt, string createdBy) => new()
    {
        ["id"] = orgId,
        ["object"] = "organization",
        ["name"] = name,
        ["slug"] = name.ToLowerInvariant().Replace(' ', '-'),
        ["members_count"] = 2,
        ["created_by"] = createdBy,
        ["created_at"] = 1_000,
        ["updated_at"] = updatedAt,
        ["public_metadata"] = new JsonObject(),
    };
}
