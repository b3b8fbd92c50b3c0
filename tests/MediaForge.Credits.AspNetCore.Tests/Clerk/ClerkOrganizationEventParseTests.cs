using MediaForge.Credits.AspNetCore.Clerk;
using MediaForge.Credits.Storage.Configurations;

namespace MediaForge.Credits.AspNetCore.Tests.Clerk;

/// <summary>
/// How an organization or membership event's body is read (<see cref="ClerkOrganizationEvent.Parse"/>): which time
/// versions it, what its name becomes, and which bodies are refused as malformed (never a server error).
/// </summary>
public sealed class ClerkOrganizationEventParseTests
{
    private static string Organization(string type, string data, string? timestamp = "100") =>
        $$"""{"type":"{{type}}","object":"event",{{(timestamp is null ? "" : $"\"timestamp\":{timestamp},")}}"data":{{data}}}""";

    private static string Membership(string type, string? updatedAt = null, string? timestamp = "100", string organization = """{"id":"org_1","name":"Acme","updated_at":7}""") =>
        Organization(type, $$$"""{"object":"organization_membership","role":"org:member",{{{(updatedAt is null ? "" : $"\"updated_at\":{updatedAt},")}}}"organization":{{{organization}}},"public_user_data":{"user_id":"user_1"}}""", timestamp);

    private static ClerkOrganizationEvent Parse(string body) =>
        ClerkOrganizationEvent.Parse(System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("type").GetString()!, body);

    [Fact]
    public void OrganizationUpdated_VersionedByItsUpdatedAtBeforeTheEnvelopesTimestamp()
    {
        Assert.Equal(200, Parse(Organization("organization.updated", """{"id":"org_1","name":"Acme","updated_at":200}""")).Version);
    }

    [Fact]
    public void OrganizationUpdated_WithoutUpdatedAt_IsVersionedByTheTimestamp()
    {
        Assert.Equal(100, Parse(Organization("organization.updated", """{"id":"org_1","name":"Acme"}""")).Version);
    }

    [Fact]
    public void OrganizationUpdated_WithoutUpdatedAtOrTimestamp_IsMalformedSayingSo()
    {
        var error = Assert.Throws<FormatException>(() => Parse(Organization("organization.updated", """{"id":"org_1","name":"Acme"}""", timestamp: null)));

        Assert.Equal("The organization event has neither data.updated_at nor timestamp.", error.Message);
    }

    [Fact]
    public void OrganizationCreated_WithoutAName_IsNamedByItsId()
    {
        Assert.Equal("org_1", Parse(Organization("organization.created", """{"id":"org_1","updated_at":5}""")).Name);
    }

    [Fact]
    public void OrganizationCreated_NameLongerThanTheColumn_IsCutToIt()
    {
        var name = new string('n', CreditsModelLimits.TeamName + 10);

        Assert.Equal(name[..CreditsModelLimits.TeamName], Parse(Organization("organization.created", $$"""{"id":"org_1","name":"{{name}}","updated_at":5}""")).Name);
    }

    [Fact]
    public void OrganizationCreated_BlankId_IsMalformedNamingTheField()
    {
        var error = Assert.Throws<FormatException>(() => Parse(Organization("organization.created", """{"id":" ","name":"Acme","updated_at":5}""")));

        Assert.Equal($"The event's data.id must be 1 to {CreditWallet.MaxTeamIdLength} characters without spaces or control characters.", error.Message);
    }

    [Theory]
    [InlineData("5")]
    [InlineData("\"org_1\"")]
    [InlineData("[]")]
    public void OrganizationEvent_DataNotAnObject_IsMalformedSayingSo(string data)
    {
        var error = Assert.Throws<FormatException>(() => Parse(Organization("organization.created", data)));

        Assert.Equal("The organization event has no data object.", error.Message);
    }

    [Fact]
    public void MembershipUpdated_VersionedByItsUpdatedAtBeforeTheEnvelopesTimestamp()
    {
        Assert.Equal(300, Parse(Membership("organizationMembership.updated", updatedAt: "300", timestamp: "900")).Version);
    }

    [Fact]
    public void MembershipUpdated_WithoutUpdatedAt_IsVersionedByTheTimestamp()
    {
        Assert.Equal(900, Parse(Membership("organizationMembership.updated", timestamp: "900")).Version);
    }

    [Fact]
    public void MembershipCreated_WithoutUpdatedAtOrTimestamp_IsMalformedSayingSo()
    {
        var error = Assert.Throws<FormatException>(() => Parse(Membership("organizationMembership.created", timestamp: null)));

        Assert.Equal("The membership event has neither data.updated_at nor timestamp.", error.Message);
    }

    [Theory]
    [InlineData("300", "900", 900)]
    [InlineData("700", "500", 700)]
    [InlineData("300", null, 300)]
    [InlineData(null, "500", 500)]
    public void MembershipDeleted_IsVersionedByTheLaterOfUpdatedAtAndTimestamp(string? updatedAt, string? timestamp, long version)
    {
        Assert.Equal(version, Parse(Membership("organizationMembership.deleted", updatedAt, timestamp)).Version);
    }

    [Fact]
    public void Membership_CarriesItsOrganizationsNameAndVersion()
    {
        var membership = Parse(Membership("organizationMembership.created"));

        Assert.Equal(("org_1", "Acme", 7L, "user_1"), (membership.TeamId, membership.Name, membership.TeamVersion, membership.UserId));
    }

    [Fact]
    public void Membership_WithoutTheOrganizationsName_LeavesTheNameUnknown()
    {
        Assert.Null(Parse(Membership("organizationMembership.created", organization: """{"id":"org_1"}""")).Name);
    }

    [Fact]
    public void Membership_BlankOrganizationId_IsMalformedNamingTheField()
    {
        var error = Assert.Throws<FormatException>(() => Parse(Membership("organizationMembership.created", organization: """{"id":"","name":"Acme"}""")));

        Assert.Contains("data.organization.id", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("5")]
    [InlineData("[]")]
    public void Membership_OrganizationNotAnObject_IsMalformedSayingSo(string organization)
    {
        var error = Assert.Throws<FormatException>(() => Parse(Membership("organizationMembership.created", organization: organization)));

        Assert.Equal("The membership event has no organization or public_user_data object.", error.Message);
    }

    [Fact]
    public void Membership_UserIdInTheReservedSpace_IsMalformedSayingWhy()
    {
        var body = Organization("organizationMembership.created",
            """{"role":"org:member","organization":{"id":"org_1","name":"Acme"},"public_user_data":{"user_id":"mf:team:x"}}""");

        var error = Assert.Throws<FormatException>(() => Parse(body));

        Assert.Equal($"The membership's public_user_data.user_id must be 1 to {CreditsModelLimits.UserId} characters without spaces or control characters, outside the reserved 'mf:' space.", error.Message);
    }
}
