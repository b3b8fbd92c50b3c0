using MediaForge.Credits.AspNetCore.Clerk;

namespace MediaForge.Credits.AspNetCore.Tests.Clerk;

/// <summary>
/// What a user event's body says beyond its type and id (<see cref="ClerkEvent.Parse"/>): why a malformed one is refused
/// (the message is the 400 answer's detail), which time versions it, which address is its e-mail, how its display name is
/// cut, and that a referral code is read at sign-up only.
/// </summary>
public sealed class ClerkEventShapeTests
{
    private static ClerkEvent Updated(string data, string timestamp = "100") =>
        ClerkEvent.Parse($$"""{"type":"user.updated","object":"event","timestamp":{{timestamp}},"data":{{data}}}""");

    [Theory]
    [InlineData("""[]""", "The event is not a JSON object.")]
    [InlineData("""{"data":{}}""", "The event has no type.")]
    [InlineData("""{"type":5}""", "'type' is not a string.")]
    [InlineData("""{"type":"user.updated","data":[]}""", "The user event has no data object.")]
    [InlineData("""{"type":"user.updated","data":{"id":"user 1","updated_at":5}}""",
        "The user event's data.id must be 1 to 128 characters without spaces or control characters, outside the reserved 'mf:' space.")]
    [InlineData("""{"type":"user.updated","data":{"id":"user_1"}}""", "The user event has neither data.updated_at nor timestamp.")]
    [InlineData("""{"type":"user.updated","timestamp":-1,"data":{"id":"user_1"}}""", "'timestamp' is not a time in milliseconds since the epoch.")]
    public void Malformed_IsRefusedSayingWhy(string body, string message) =>
        Assert.Equal(message, Assert.Throws<FormatException>(() => ClerkEvent.Parse(body)).Message);

    [Fact]
    public void UserUpdated_WithoutUpdatedAt_IsVersionedByTheEventsTimestamp() =>
        Assert.Equal(100, Updated("""{"id":"user_1"}""").Version);

    [Fact]
    public void UserUpdated_UpdatedAtZero_IsAVersion() =>
        Assert.Equal(0, Updated("""{"id":"user_1","updated_at":0}""").Version);

    [Fact]
    public void UserUpdated_SeveralAddresses_TheEmailIsThePrimaryOne() =>
        Assert.Equal("second@example.com", Updated("""
            {"id":"user_1","updated_at":5,"primary_email_address_id":"idn_2","email_addresses":[
              {"id":"idn_1","email_address":"first@example.com"},{"id":"idn_2","email_address":"second@example.com"}]}
            """).Email);

    [Fact]
    public void UserUpdated_NameLongerThanTheColumn_IsCutToIt()
    {
        var first = new string('f', ClerkEvent.MaxDisplayNameLength);

        Assert.Equal(first, Updated($$"""{"id":"user_1","updated_at":5,"first_name":"{{first}}","last_name":"Doe"}""").DisplayName);
    }

    [Fact]
    public void UserUpdated_ReferralCodeInUnsafeMetadata_IsNotRead() =>
        Assert.Null(Updated("""{"id":"user_1","updated_at":5,"unsafe_metadata":{"referral_code":"FRIEND"}}""").ReferralCode);
}
