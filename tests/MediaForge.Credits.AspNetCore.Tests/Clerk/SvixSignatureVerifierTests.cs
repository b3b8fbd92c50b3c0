using MediaForge.Credits.AspNetCore.Clerk;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;

namespace MediaForge.Credits.AspNetCore.Tests.Clerk;

public sealed class SvixSignatureVerifierTests
{
    // The published Standard Webhooks / Svix test vector.
    private const string Secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private const string MessageId = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    private const long Timestamp = 1614265330;
    private const string Body = "{\"test\": 2432232314}";
    private const string Signature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    private static HeaderDictionary Headers(string signature, long timestamp = Timestamp) => new()
    {
        ["svix-id"] = MessageId,
        ["svix-timestamp"] = timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["svix-signature"] = signature,
    };

    private static SvixSignatureVerifier At(long unixSeconds) => new(new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(unixSeconds)));

    [Fact]
    public void Sign_PublishedVector_MatchesItsSignature()
    {
        Assert.Equal(Signature, SvixSignatureVerifier.Sign(Secret, MessageId, Timestamp, Body));
    }

    [Fact]
    public void Verify_PublishedVector_IsValid()
    {
        Assert.Null(At(Timestamp + 10).Verify(Secret, Headers(Signature), Body, TimeSpan.FromMinutes(5)));
    }

    [Fact]
    public void Verify_ValidSignatureAfterAnInvalidOne_IsValid()
    {
        Assert.Null(At(Timestamp).Verify(Secret, Headers("v1,bm90IGEgc2lnbmF0dXJl " + Signature), Body, TimeSpan.FromMinutes(5)));
    }

    [Fact]
    public void Verify_SignatureOfAnotherScheme_IsRejected()
    {
        Assert.NotNull(At(Timestamp).Verify(Secret, Headers("v1a," + Signature[3..]), Body, TimeSpan.FromMinutes(5)));
    }

    [Fact]
    public void Verify_RightValueUnderAnotherVersion_IsRejected()
    {
        Assert.NotNull(At(Timestamp).Verify(Secret, Headers("v2," + Signature[3..]), Body, TimeSpan.FromMinutes(5)));
    }

    [Theory]
    [InlineData(-301)]
    [InlineData(301)]
    public void Verify_TimestampOutsideFiveMinutes_IsRejected(long offset)
    {
        Assert.Contains("tolerance", At(Timestamp + offset).Verify(Secret, Headers(Signature), Body, TimeSpan.FromMinutes(5)), StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_EmptySignatureValue_IsRejectedWithoutThrowing()
    {
        Assert.NotNull(At(Timestamp).Verify(Secret, Headers("v1,"), Body, TimeSpan.FromMinutes(5)));
    }

    [Theory]
    [InlineData("svix-id")]
    [InlineData("svix-timestamp")]
    [InlineData("svix-signature")]
    public void Verify_HeaderMissing_IsRejectedAsRequired(string header)
    {
        var headers = Headers(Signature);
        headers.Remove(header);

        Assert.Equal("The svix-id, svix-timestamp and svix-signature headers are required.",
            At(Timestamp).Verify(Secret, headers, Body, TimeSpan.FromMinutes(5)));
    }

    [Theory]
    [InlineData("+1614265330")]
    [InlineData("1614265330.0")]
    [InlineData("yesterday")]
    public void Verify_TimestampNotAPlainNumber_IsRejected(string timestamp)
    {
        var headers = Headers(Signature);
        headers["svix-timestamp"] = timestamp;

        Assert.Equal("The svix-timestamp header is not a number of seconds.", At(Timestamp).Verify(Secret, headers, Body, TimeSpan.FromMinutes(5)));
    }

    [Theory]
    [InlineData(-300)]
    [InlineData(300)]
    public void Verify_TimestampExactlyAtTheTolerance_IsValid(long offset)
    {
        Assert.Null(At(Timestamp + offset).Verify(Secret, Headers(Signature), Body, TimeSpan.FromMinutes(5)));
    }

    [Fact]
    public void Verify_TimestampOutsideTheTolerance_SaysSo()
    {
        Assert.Equal("The svix-timestamp is outside the allowed tolerance.", At(Timestamp + 301).Verify(Secret, Headers(Signature), Body, TimeSpan.FromMinutes(5)));
    }

    [Fact]
    public void Verify_SecretWithoutTheWhsecPrefix_IsValid()
    {
        Assert.Null(At(Timestamp).Verify(Secret["whsec_".Length..], Headers(Signature), Body, TimeSpan.FromMinutes(5)));
    }

    [Fact]
    public void Verify_BodyChangedAfterSigning_SaysNoSignatureMatches()
    {
        Assert.Equal("No svix-signature matches the payload and secret.",
            At(Timestamp).Verify(Secret, Headers(Signature), Body.Replace("2432232314", "1", StringComparison.Ordinal), TimeSpan.FromMinutes(5)));
    }

    [Fact]
    public void Verify_SignatureWithoutItsVersion_IsRejected()
    {
        Assert.NotNull(At(Timestamp).Verify(Secret, Headers(Signature[2..]), Body, TimeSpan.FromMinutes(5)));
    }
}
