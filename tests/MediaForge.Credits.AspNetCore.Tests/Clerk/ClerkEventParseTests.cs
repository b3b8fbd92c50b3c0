using MediaForge.Credits.AspNetCore.Clerk;

namespace MediaForge.Credits.AspNetCore.Tests.Clerk;

/// <summary>
/// How a user event's body is read (<see cref="ClerkEvent.Parse"/>) beyond the payloads of Clerk's documentation: the
/// fields a delivery may leave out or send as another kind, and the outcome words of a referral attached at sign-up.
/// </summary>
public sealed class ClerkEventParseTests
{
    private static string UserEvent(string type, string data, string? timestamp = "100") =>
        $$"""{"type":"{{type}}","object":"event",{{(timestamp is null ? "" : $"\"timestamp\":{timestamp},")}}"data":{{data}}}""";

    [Fact]
    public void EventOfAnotherType_IsReadWithoutItsData()
    {
        var other = ClerkEvent.Parse(UserEvent("session.created", """{"object":"session","status":"active"}"""));

        Assert.Equal(("session.created", false), (other.Type, other.IsHandled));
    }

    [Fact]
    public void EventTypeOf100Characters_IsRead_101_IsMalformedSayingSo()
    {
        var longest = "session." + new string('x', 92);

        var error = Assert.Throws<FormatException>(() => ClerkEvent.Parse(UserEvent(longest + "x", "{}")));

        Assert.Equal(longest, ClerkEvent.Parse(UserEvent(longest, "{}")).Type);
        Assert.Equal("'type' is longer than 100 characters.", error.Message);
    }

    [Fact]
    public void UserDeleted_WithoutTimestamp_IsReadAsTheDeletion()
    {
        var deleted = ClerkEvent.Parse(UserEvent("user.deleted", """{"id":"user_1","object":"user","deleted":true}""", timestamp: null));

        Assert.Equal(("user.deleted", "user_1", (long?)null), (deleted.Type, deleted.UserId, deleted.Version));
    }

    [Fact]
    public void UserUpdated_EmailAddressesNull_HasNoEmail()
    {
        Assert.Null(ClerkEvent.Parse(UserEvent("user.updated", """{"id":"user_1","updated_at":5,"email_addresses":null}""")).Email);
    }

    [Fact]
    public void UserUpdated_EmailAddressesNotAnArray_IsMalformedSayingSo()
    {
        var error = Assert.Throws<FormatException>(() => ClerkEvent.Parse(UserEvent("user.updated", """{"id":"user_1","updated_at":5,"email_addresses":"a@example.com"}""")));

        Assert.Equal("data.email_addresses is not an array.", error.Message);
    }

    [Fact]
    public void UserUpdated_EmailAddressEntryNotAnObject_IsMalformedSayingSo()
    {
        var error = Assert.Throws<FormatException>(() => ClerkEvent.Parse(UserEvent("user.updated", """{"id":"user_1","updated_at":5,"email_addresses":["a@example.com"]}""")));

        Assert.Equal("An entry of data.email_addresses is not an object.", error.Message);
    }

    [Theory]
    [InlineData("\"admin\"")]
    [InlineData("[\"admin\"]")]
    [InlineData("5")]
    public void UserUpdated_PublicMetadataNotAnObject_HasNoRole(string metadata)
    {
        Assert.Null(ClerkEvent.Parse(UserEvent("user.updated", $$"""{"id":"user_1","updated_at":5,"public_metadata":{{metadata}}}""")).Role);
    }

    [Theory]
    [InlineData(CreditReferralAttachOutcome.Attached, "attached")]
    [InlineData(CreditReferralAttachOutcome.AlreadyAttached, "already_attached")]
    [InlineData(CreditReferralAttachOutcome.AlreadyReferred, "already_referred")]
    [InlineData(CreditReferralAttachOutcome.UnknownCode, "unknown_code")]
    [InlineData(CreditReferralAttachOutcome.SelfReferral, "self_referral")]
    [InlineData(CreditReferralAttachOutcome.MutualReferral, "mutual_referral")]
    [InlineData(CreditReferralAttachOutcome.WindowClosed, "window_closed")]
    [InlineData(CreditReferralAttachOutcome.CapReached, "cap_reached")]
    [InlineData(CreditReferralAttachOutcome.Disabled, "disabled")]
    public void ReferralAttachedAtSignUp_EachOutcome_HasItsSnakeCaseWordInTheWebhooksOutcome(CreditReferralAttachOutcome outcome, string word)
    {
        Assert.Equal(word, ClerkWebhookHandler.ReferralOutcome(outcome));
    }
}
